import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { loadInstanceKey, rotateInstanceKey } from './instance.ts';
import { directWrite } from './tx.ts';
import { followRotations } from '../../shared/protocol/keyRotation.ts';
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

test('a rotation replaces the key, signed over by the old one, and a loaded key follows it', async () => {
  const db = freshDb();
  const key = loadInstanceKey(db);
  const old = key.publicKey;
  const oldPkcs8 = db.prepare('SELECT signing_key_pkcs8 AS k FROM instance').get() as {
    k: Buffer;
  };
  const r = directWrite(db, (tx) => rotateInstanceKey(tx, db, 5000));
  assert.deepEqual(r.oldKey, old);
  // The key loaded before the rotation signs with the new key from now on.
  assert.deepEqual(key.publicKey, r.newKey);
  const data = new TextEncoder().encode('after');
  const pub = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(r.newKey).toString('base64url') },
    format: 'jwk',
  });
  assert.equal(verify(null, data, pub, key.sign(data)), true);
  // The statement is kept, and follows from the old key to the new one.
  assert.deepEqual(key.rotations(), [r]);
  assert.deepEqual(
    (await followRotations('maison.example', old, r.newKey, key.rotations())).length,
    1,
  );
  // The old private key is gone from the database.
  const rows = db.prepare('SELECT signing_key_pkcs8 AS k FROM instance').all() as { k: Buffer }[];
  assert.equal(rows.length, 1);
  assert.notDeepEqual(rows[0]!.k, oldPkcs8.k);
  // A second rotation never goes back in time, even with a clock that did.
  const r2 = directWrite(db, (tx) => rotateInstanceKey(tx, db, 1000));
  assert.equal(r2.at, 5000);
  assert.deepEqual(r2.oldKey, r.newKey);
  db.close();
});
