/**
 * The extra certificate authority for peer instances (`federationCa`): a CA file is read and
 * checked (a leaf certificate or a file without certificates is refused with a clear error),
 * and once trusted, HTTPS to a server whose certificate that authority issued verifies where
 * it did not before. Loopback only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readCaFile, trustExtraCa } from '../../src/server/federation/extraCa.ts';
import { CLI, childEnv, removeDir, tempDir } from '../helpers/server.ts';
import { createTestCa } from '../helpers/testCa.ts';

test('a CA file is checked: a leaf certificate or no certificate is refused', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const ca = createTestCa(dir);
  assert.equal(readCaFile(ca.caFile).length, 1);
  const leaf = ca.issue('maison.example', ['127.0.0.1']);
  assert.throws(() => readCaFile(leaf.cert), {
    code: 'usage',
    message: /not a certificate authority/,
  });
  const empty = join(dir, 'empty.pem');
  writeFileSync(empty, 'no certificate here\n');
  assert.throws(() => readCaFile(empty), { code: 'usage', message: /holds no PEM certificate/ });
  assert.throws(() => readCaFile(join(dir, 'missing.pem')), {
    code: 'usage',
    message: /cannot read/,
  });
});

test('foyer start refuses a federationCa that is not an authority, naming it', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const leaf = createTestCa(dir).issue('maison.example', ['127.0.0.1']);
  // Bounded: were the file accepted, the server would start and run on.
  const r = spawnSync(
    process.execPath,
    [CLI, 'start', '--data', join(dir, 'data'), '--port', '0', '--federation-ca', leaf.cert],
    { encoding: 'utf8', env: childEnv(), timeout: 60_000 },
  );
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /not a certificate authority/);
});

test('once trusted, the authority verifies HTTPS to a peer it certified', async (t) => {
  const dir = tempDir();
  const ca = createTestCa(dir);
  const pair = ca.issue('maison.example', ['127.0.0.1']);
  const server = createServer(
    { cert: readFileSync(pair.cert), key: readFileSync(pair.key) },
    (_req, res) => res.end('peer'),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.close();
    await once(server, 'close');
    removeDir(dir);
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  await assert.rejects(fetch(url), (err: Error) => {
    assert.match(String((err.cause as { code?: string }).code), /UNABLE_TO_VERIFY|SELF_SIGNED/);
    return true;
  });
  assert.equal(trustExtraCa(ca.caFile), 1);
  assert.equal(await (await fetch(url)).text(), 'peer');
});
