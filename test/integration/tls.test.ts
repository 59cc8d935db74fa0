/**
 * HTTPS against Debian's pebble, a real ACME server: the certificate is issued through Foyer's
 * own HTTP-01 challenge server, served, renewed while running before it expires, and found
 * again after a restart without a new issuance; plain HTTP redirects to HTTPS; HSTS on a public
 * name. And an operator-provided certificate is reloaded when its files change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { CLI, childEnv, removeDir, tempDir } from '../helpers/server.ts';
import { freePort, pebbleMissing, startPebble } from '../helpers/pebble.ts';

const DOMAIN = 'foyer.test';
const opensslMissing =
  spawnSync('openssl', ['version']).status === 0 ? false : 'openssl is not installed';

interface Foyer {
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

async function startFoyer(args: string[], env: Record<string, string> = {}): Promise<Foyer> {
  const proc = spawn(process.execPath, [CLI, 'start', ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (/Foyer listening on https:\/\//.test(out)) resolve();
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => reject(new Error(`foyer exited (${code}):\n${out}`)));
  });
  return {
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
    },
  };
}

/** The leaf certificate Foyer serves on `port` for `servername`, verified against `ca`. */
async function servedCert(port: number, ca: string, servername = DOMAIN): Promise<X509Certificate> {
  const socket = connect({ host: '127.0.0.1', port, servername, ca });
  await once(socket, 'secureConnect');
  const raw = socket.getPeerX509Certificate();
  socket.destroy();
  assert.ok(raw !== undefined);
  return raw;
}

function get(
  port: number,
  path: string,
  ca: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, servername: DOMAIN, ca, headers: { host: DOMAIN } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test(
  'ACME with pebble: issue, serve, redirect, HSTS, renew before expiry, restart without re-issuing',
  { skip: pebbleMissing },
  async (t) => {
    const dir = tempDir();
    const httpPort = await freePort();
    const httpsPort = await freePort();
    // 45 s certificates: renewal is due after 30 s.
    const pebble = await startPebble(dir, httpPort, 45);
    let foyer: Foyer | undefined;
    t.after(async () => {
      await foyer?.stop();
      await pebble.stop();
      removeDir(dir);
    });
    const data = join(dir, 'data');
    const args = [
      '--data',
      data,
      '--host',
      '127.0.0.1',
      '--port',
      String(httpsPort),
      '--http-port',
      String(httpPort),
      '--tls',
      'acme',
      '--acme-directory',
      pebble.directory,
      '--public-url',
      `https://${DOMAIN}:${httpsPort}`,
    ];
    const env = { NODE_EXTRA_CA_CERTS: pebble.apiCaFile };
    foyer = await startFoyer(args, env);
    assert.match(
      foyer.output(),
      new RegExp(
        `HTTPS with a certificate for ${DOMAIN.replace('.', '\\.')} from .* \\(issued now`,
      ),
    );
    const root = await pebble.root();
    // Pebble signs through an intermediate: Foyer must serve the chain, so the root alone verifies.
    const first = await servedCert(httpsPort, root);
    assert.ok(first.checkHost(DOMAIN));
    const health = await get(httpsPort, '/healthz', root);
    assert.equal(health.status, 200);
    assert.equal(health.headers['strict-transport-security'], 'max-age=31536000');

    const redirect = await new Promise<{ status: number; location: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: httpPort, path: '/join?x=1', headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, location: String(res.headers.location) });
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(redirect, {
      status: 301,
      location: `https://${DOMAIN}:${httpsPort}/join?x=1`,
    });

    // Renewed while running, before the first one expires, without dropping the server.
    const renewed = await waitFor(
      'a renewed certificate',
      async () => {
        const c = await servedCert(httpsPort, root);
        return c.serialNumber !== first.serialNumber ? c : undefined;
      },
      40_000,
    ).catch((err: unknown) => {
      throw new Error(
        `${(err as Error).message}; first ${first.validFrom} - ${first.validTo}; output:\n${foyer?.output()}`,
      );
    });
    assert.ok(Date.parse(renewed.validTo) > Date.parse(first.validTo));
    assert.ok(Date.now() < Date.parse(first.validTo), 'renewed before the old one expired');

    // A restart finds the stored certificate: no new issuance.
    await foyer.stop();
    foyer = await startFoyer(args, env);
    assert.match(foyer.output(), /\(stored, valid until/);
    assert.equal((await servedCert(httpsPort, root)).serialNumber, renewed.serialNumber);
  },
);

test(
  'an operator-provided certificate is served and reloaded when its files change',
  { skip: opensslMissing },
  async (t) => {
    const dir = tempDir();
    const port = await freePort();
    t.after(() => removeDir(dir));
    const make = (name: string): string => {
      const r = spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, `${name}.key`),
        '-out',
        join(dir, `${name}.pem`),
        '-days',
        '2',
        '-subj',
        `/CN=${DOMAIN}`,
        '-addext',
        `subjectAltName=DNS:${DOMAIN}`,
      ]);
      assert.equal(r.status, 0, r.stderr.toString());
      return readFileSync(join(dir, `${name}.pem`), 'utf8');
    };
    const certA = make('a');
    const certB = make('b');
    writeFileSync(join(dir, 'cert.pem'), certA);
    writeFileSync(join(dir, 'key.pem'), readFileSync(join(dir, 'a.key')));
    const foyer = await startFoyer([
      '--data',
      join(dir, 'data'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--http-port',
      '0',
      '--tls',
      'files',
      '--tls-cert',
      join(dir, 'cert.pem'),
      '--tls-key',
      join(dir, 'key.pem'),
      '--public-url',
      `https://${DOMAIN}:${port}`,
    ]);
    t.after(() => foyer.stop());
    assert.equal(
      (await servedCert(port, certA)).fingerprint256,
      new X509Certificate(certA).fingerprint256,
    );
    // The operator replaces both files (key first, as certbot's deploy hooks do).
    writeFileSync(join(dir, 'key.pem'), readFileSync(join(dir, 'b.key')));
    writeFileSync(join(dir, 'cert.pem'), certB);
    const fpB = new X509Certificate(certB).fingerprint256;
    await waitFor(
      'the new certificate',
      async () =>
        (await servedCert(port, certB).catch(() => undefined))?.fingerprint256 === fpB
          ? true
          : undefined,
      20_000,
    );
  },
);
