/**
 * The `local` HTTPS mode, for households reached on the home network only: a real server
 * creates its own certificate authority, offers it on a plain-HTTP download page with its
 * fingerprint, and serves a certificate for its LAN name that a client trusting only the
 * downloaded authority accepts (and a client without it refuses); a restart keeps the same
 * authority; its key is never written in clear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { findMarkers, removeDir, tempDir } from '../helpers/server.ts';
import { freePort } from '../helpers/pebble.ts';
import { startFoyer, type FoyerProcess } from '../helpers/foyerProcess.ts';

const NAME = 'foyer.local';

function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * GET https://NAME:PORT/healthz the way a browser on the LAN does it: the name resolves (here
 * to loopback), and the certificate is checked against `ca` only (undefined: the default
 * trust store) and against the name.
 */
function httpsHealth(
  port: number,
  ca: string | undefined,
  name = NAME,
): Promise<{ status: number; peer: X509Certificate }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: name,
        port,
        path: '/healthz',
        ...(ca === undefined ? {} : { ca }),
        // Name resolution for the test's LAN name: loopback, the only address tests may use.
        lookup: (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
        agent: false,
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerX509Certificate()!;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, peer }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('local certificate authority: download page, trusted by name, refused without it, kept across restarts', async (t) => {
  const dir = tempDir();
  const data = join(dir, 'data');
  const port = await freePort();
  const httpPort = await freePort();
  let foyer: FoyerProcess | undefined;
  t.after(async () => {
    await foyer?.stop();
    removeDir(dir);
  });
  const args = [
    '--data',
    data,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--tls',
    'local',
    '--tls-names',
    '127.0.0.1',
    '--public-url',
    `https://${NAME}:${port}`,
  ];
  foyer = await startFoyer(args);
  assert.match(
    foyer.output(),
    /local certificate authority \(created now\) for foyer\.local, 127\.0\.0\.1/,
  );
  const printed = /Authority SHA-256 fingerprint: ([0-9A-F:]{95})/.exec(foyer.output())?.[1];
  assert.ok(printed !== undefined, foyer.output());
  assert.match(foyer.output(), new RegExp(`devices install it from http://${NAME}:${httpPort}/ca`));

  // The download page, both languages, the fingerprint shown.
  const page = await httpGet(httpPort, '/ca', { 'accept-language': 'fr-FR,fr;q=0.9' });
  assert.equal(page.status, 200);
  assert.match(page.type, /^text\/html/);
  const html = page.body.toString();
  assert.match(html, /<html lang="fr">/);
  for (const platform of ['Android', 'iPhone', 'Windows', 'macOS', 'Linux'])
    assert.ok(html.includes(platform), platform);
  assert.ok(html.includes('Trust this home’s Foyer') && html.includes('Faire confiance'));
  const shown = /<code id="fingerprint-fr">([0-9A-F:]+)<\/code>/.exec(html)?.[1];
  assert.equal(shown, printed);
  // The root of the plain-HTTP side is the same page; other paths go to HTTPS.
  assert.equal((await httpGet(httpPort, '/')).status, 200);
  assert.equal((await httpGet(httpPort, '/app')).status, 301);

  const der = await httpGet(httpPort, '/ca/foyer-ca.crt');
  assert.equal(der.type, 'application/x-x509-ca-cert');
  const pem = await httpGet(httpPort, '/ca/foyer-ca.pem');
  assert.equal(pem.type, 'application/x-pem-file');
  const downloaded = new X509Certificate(der.body);
  assert.equal(downloaded.fingerprint256, printed, 'the file is the authority the page names');
  assert.equal(new X509Certificate(pem.body).fingerprint256, printed);
  assert.equal(downloaded.ca, true);
  const caPem = downloaded.toString();

  // A device that installed the authority reaches Foyer by its LAN name.
  const ok = await httpsHealth(port, caPem);
  assert.equal(ok.status, 200);
  assert.ok(ok.peer.checkHost(NAME) !== undefined);
  assert.ok(ok.peer.verify(downloaded.publicKey), 'the served certificate comes from it');
  // One that did not, refuses it.
  await assert.rejects(httpsHealth(port, undefined), (err: NodeJS.ErrnoException) => {
    assert.match(
      String(err.code),
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/,
    );
    return true;
  });
  // The certificate is for the household's names only.
  await assert.rejects(
    httpsHealth(port, caPem, 'bank.example'),
    /ERR_TLS_CERT_ALTNAME_INVALID|does not match/,
  );

  // The authority's key is in the encrypted database, never in a file in clear.
  const authorityKeyFiles = findMarkers([data], ['PRIVATE KEY']);
  assert.deepEqual(authorityKeyFiles, []);

  // A restart keeps the authority: devices do not install anything again.
  await foyer.stop();
  foyer = await startFoyer(args);
  assert.match(foyer.output(), /local certificate authority \(stored\)/);
  assert.ok(foyer.output().includes(`Authority SHA-256 fingerprint: ${printed}`));
  const again = await httpsHealth(port, caPem);
  assert.equal(again.status, 200);
  assert.ok(again.peer.verify(downloaded.publicKey));
});

test('local mode refuses a public name the authority may not vouch for, and changes nothing', async (t) => {
  const dir = tempDir();
  const running: FoyerProcess[] = [];
  t.after(async () => {
    for (const f of running) await f.stop();
    removeDir(dir);
  });
  const port = await freePort();
  const args = (names: string): string[] => [
    '--data',
    join(dir, 'data'),
    '--port',
    String(port),
    '--http-port',
    '0',
    '--tls',
    'local',
    '--tls-names',
    names,
    '--public-url',
    `https://${NAME}:${port}`,
  ];
  // A server that wrongly starts is stopped at once, so the failure shows instead of a hang.
  const refused = await startFoyer(args('8.8.8.8')).then(
    async (f) => {
      await f.stop();
      return new Error('started');
    },
    (err: unknown) => err as Error,
  );
  assert.match(
    refused.message,
    /may vouch only for \.local names, private addresses.*8\.8\.8\.8 is not among them/s,
  );
  // No authority was kept from the refused start.
  const foyer = await startFoyer(args('192.168.1.20'));
  running.push(foyer);
  assert.match(foyer.output(), /local certificate authority \(created now\)/);
});
