import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { loadInstanceKey } from './instance.ts';
import { migrate } from './migrate.ts';
import { migrations } from './migrations/index.ts';
import { StorageError } from './errors.ts';

function freshDb() {
  const db = new Database(':memory:');
  migrate(db, migrations);
  return db;
}

test('the instance key is created once, then loaded unchanged', () => {
  const db = freshDb();
  const first = loadInstanceKey(db);
  assert.equal(first.publicKey.length, 32);
  const second = loadInstanceKey(db);
  assert.deepEqual(second.publicKey, first.publicKey);
  assert.deepEqual(db.prepare('SELECT count(*) AS n FROM instance').get(), { n: 1 });
  db.close();
});

test('signatures verify under the raw public key', () => {
  const db = freshDb();
  const key = loadInstanceKey(db);
  const data = new TextEncoder().encode('foyer/v1 test');
  const sig = key.sign(data);
  assert.equal(sig.length, 64);
  const pub = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKey).toString('base64url') },
    format: 'jwk',
  });
  assert.equal(verify(null, data, pub, sig), true);
  assert.equal(verify(null, new TextEncoder().encode('other'), pub, sig), false);
  db.close();
});

test('a stored key whose public half does not match is refused', () => {
  const db = freshDb();
  loadInstanceKey(db);
  db.prepare('UPDATE instance SET signing_key_public = ?').run(Buffer.alloc(32));
  assert.throws(
    () => loadInstanceKey(db),
    (err: unknown) => err instanceof StorageError && err.code === 'internal',
  );
  db.close();
});
