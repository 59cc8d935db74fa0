import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncryptedStore } from './encryptedStore.ts';
import { MemoryStorage } from './storage.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { utf8 } from '../../protocol/bytes.ts';

/** Cheap KDF settings: these tests exercise the format, not Argon2's cost. */
const FAST = { memoryKiB: 64, iterations: 1, parallelism: 1 };

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

test('records round-trip and survive reopening with the same passphrase', async () => {
  const storage = new MemoryStorage();
  const store = await EncryptedStore.open(storage, 'correct horse', { create: true, kdf: FAST });
  await store.tx().put('conv/abc', utf8('hello')).putRecord('meta', { v: 1, n: 3 }).commit();
  const again = await EncryptedStore.open(storage, 'correct horse');
  assert.deepEqual(await again.get('conv/abc'), utf8('hello'));
  assert.deepEqual(await again.getRecord('meta', 'meta', 1), { v: 1, n: 3 });
  assert.equal(await again.get('missing'), undefined);
});

test('a wrong passphrase is refused with code locked', async () => {
  const storage = new MemoryStorage();
  await EncryptedStore.open(storage, 'right', { create: true, kdf: FAST });
  await assert.rejects(EncryptedStore.open(storage, 'wrong'), (err: unknown) => {
    assert.ok(err instanceof FoyerError);
    assert.equal(err.code, 'locked');
    assert.match(err.message, /wrong passphrase/);
    return true;
  });
});

test('opening without create where no store exists fails with not_found', async () => {
  await assert.rejects(EncryptedStore.open(new MemoryStorage(), 'x'), { code: 'not_found' });
});

test('neither record names nor values appear in clear in the storage', async () => {
  const storage = new MemoryStorage();
  const store = await EncryptedStore.open(storage, 'pw', { create: true, kdf: FAST });
  const marker = 'MARKER-' + crypto.randomUUID();
  await store
    .tx()
    .put(`user/${marker}`, utf8(`text ${marker}`))
    .putRecord('record', { v: 1, name: marker })
    .commit();
  for (const key of await storage.keys()) {
    assert.ok(!key.includes('MARKER'), `key ${key} leaks the marker`);
    assert.ok(!contains((await storage.get(key))!, utf8('MARKER')), `record ${key} leaks it`);
  }
  assert.equal((await storage.keys()).length, 3); // header + 2 records
});

test('a record moved to another key fails authentication instead of decrypting', async () => {
  const storage = new MemoryStorage();
  const store = await EncryptedStore.open(storage, 'pw', { create: true, kdf: FAST });
  await store.tx().put('a', utf8('one')).put('b', utf8('two')).commit();
  const ka = await store.storageKey('a');
  const kb = await store.storageKey('b');
  await storage.write([[kb, (await storage.get(ka))!]]);
  await assert.rejects(store.get('b'), { code: 'corrupt_store' });
});

test('a transaction sees its own pending writes and deletes', async () => {
  const store = await EncryptedStore.open(new MemoryStorage(), 'pw', { create: true, kdf: FAST });
  await store.tx().put('k', utf8('old')).commit();
  const tx = store.tx().put('k', utf8('new')).delete('gone');
  assert.deepEqual(await tx.get('k'), utf8('new'));
  assert.deepEqual(await store.get('k'), utf8('old'));
  tx.delete('k');
  assert.equal(await tx.get('k'), undefined);
  await tx.commit();
  assert.equal(await store.get('k'), undefined);
});
