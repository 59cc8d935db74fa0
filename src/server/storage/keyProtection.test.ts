import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './database.ts';
import { unwrapKeyFile, wrapKeyFile } from './keyProtection.ts';
import { StorageError } from './errors.ts';

const FAST = { N: 2 ** 12, r: 8, p: 1 };

test('key wrap and unwrap switch modes and the database stays readable', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-keyprot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase({ dataDir: dir, create: true });
  db.prepare(
    'INSERT INTO invites (code_hash, admin, created_at, expires_at) VALUES (?, 0, 1, 2)',
  ).run(Buffer.from('i'));
  db.close();

  wrapKeyFile(dir, 'family passphrase', FAST);
  assert.equal(existsSync(join(dir, 'foyer.key')), false);
  assert.equal(statSync(join(dir, 'foyer.key.wrapped')).mode & 0o777, 0o600);
  assert.throws(() => openDatabase({ dataDir: dir, create: false }), /protected by a passphrase/);
  const wrapped = openDatabase({ dataDir: dir, create: false, passphrase: 'family passphrase' });
  assert.deepEqual(wrapped.prepare('SELECT count(*) AS n FROM invites').get(), { n: 1 });
  wrapped.close();

  assert.throws(
    () => wrapKeyFile(dir, 'another passphrase', FAST),
    (err: unknown) => err instanceof StorageError && err.code === 'usage',
  );
  assert.throws(() => unwrapKeyFile(dir, 'not the passphrase'), /passphrase does not open/);
  assert.ok(existsSync(join(dir, 'foyer.key.wrapped')), 'a failed unwrap keeps the wrapped key');

  unwrapKeyFile(dir, 'family passphrase');
  assert.equal(existsSync(join(dir, 'foyer.key.wrapped')), false);
  assert.equal(statSync(join(dir, 'foyer.key')).mode & 0o777, 0o600);
  const plain = openDatabase({ dataDir: dir, create: false });
  assert.deepEqual(plain.prepare('SELECT count(*) AS n FROM invites').get(), { n: 1 });
  plain.close();
});
