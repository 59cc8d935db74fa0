/**
 * `foyer setup` choosing the local authority, and `foyer doctor`'s certificate checks against
 * a real server in `local` mode (the authority's fingerprint, the served certificate from it
 * and for the public name) and against an operator's certificate file that has expired.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, runFoyer, tempDir } from '../helpers/server.ts';
import { freePort } from '../helpers/pebble.ts';
import { startFoyer, type FoyerProcess } from '../helpers/foyerProcess.ts';
import { createAuthority, issueServerCertificate } from '../../src/server/tls/localCa.ts';

const DAY = 24 * 3600 * 1000;

test('setup offers the local authority; doctor checks it and the certificate the server serves', async (t) => {
  const dir = tempDir();
  const data = join(dir, 'data');
  const running: FoyerProcess[] = [];
  t.after(async () => {
    for (const f of running) await f.stop();
    removeDir(dir);
  });
  const port = await freePort();
  const setup = await runFoyer([
    'setup',
    '--yes',
    '--data',
    data,
    '--domain',
    'foyer.local',
    '--host',
    '127.0.0.1',
    '--tls',
    'local',
    '--port',
    String(port),
    '--tls-names',
    '127.0.0.1',
    '--backup-dir',
    'none',
  ]);
  assert.equal(setup.code, 0, setup.stderr + setup.stdout);
  const written = JSON.parse(readFileSync(join(data, 'foyer.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  assert.equal(written.tls, 'local');
  assert.equal(written.tlsNames, '127.0.0.1');
  assert.equal(written.publicUrl, `https://foyer.local:${port}`);
  assert.match(
    setup.stdout,
    /open http:\/\/foyer\.local\/ca and install Foyer's certificate authority/,
  );

  const httpPort = String(await freePort());
  const foyer = await startFoyer(['--data', data, '--http-port', httpPort]);
  running.push(foyer);
  const fingerprint = /Authority SHA-256 fingerprint: ([0-9A-F:]+)/.exec(foyer.output())?.[1];
  assert.ok(fingerprint !== undefined);
  const doctor = await runFoyer(['doctor', '--json', '--data', data, '--http-port', httpPort]);
  const report = JSON.parse(doctor.stdout) as {
    checks: Array<{ name: string; status: string; detail: string }>;
  };
  const byName = (n: string) => report.checks.find((c) => c.name === n);
  assert.equal(byName('local authority')?.status, 'ok');
  assert.ok(
    byName('local authority')?.detail.includes(fingerprint),
    'the same fingerprint as start',
  );
  assert.equal(byName('served certificate')?.status, 'ok', JSON.stringify(report.checks));
  assert.match(byName('served certificate')!.detail, /valid for foyer\.local until/);
  // Asked about a name the certificate does not cover, doctor says so with what to do.
  const wrong = await runFoyer([
    'doctor',
    '--data',
    data,
    '--http-port',
    httpPort,
    '--public-url',
    `https://elsewhere.local:${port}`,
  ]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stdout, /FAIL {2}served certificate: does not cover elsewhere\.local/);
  assert.match(wrong.stdout, /→ add the name to tlsNames/);
});

test('doctor fails on an expired certificate file and warns on one ending within --cert-days', async (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const data = join(dir, 'data');
  const ca = await createAuthority(['maison.example']);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const write = async (issuedDaysAgo: number): Promise<void> => {
    const pair = await issueServerCertificate(
      ca,
      ['maison.example'],
      Date.now() - issuedDaysAgo * DAY,
    );
    writeFileSync(cert, pair.cert);
    writeFileSync(key, pair.key);
  };
  const args = [
    'doctor',
    '--data',
    data,
    '--tls',
    'files',
    '--tls-cert',
    cert,
    '--tls-key',
    key,
    '--public-url',
    'https://maison.example',
  ];
  // The data folder must exist for doctor to open it.
  assert.equal(
    (await runFoyer(['setup', '--yes', '--data', data, '--backup-dir', 'none'])).code,
    0,
  );
  await write(100);
  // No database in this folder: doctor says so, and still checks the certificate file.
  const expired = await runFoyer(args);
  assert.match(expired.stdout, /FAIL {2}certificate .*cert\.pem: expired on \d{4}-\d\d-\d\d/);
  assert.match(expired.stdout, /→ renew it \(e\.g\. "certbot renew"\)/);
  await write(80);
  const soon = await runFoyer([...args, '--cert-days', '30']);
  assert.match(soon.stdout, /WARN {2}certificate .*cert\.pem: ends in (9|10) days/);
  const fine = await runFoyer([...args, '--cert-days', '5']);
  assert.match(fine.stdout, /ok {4}certificate .*cert\.pem: valid for maison\.example until/);
});
