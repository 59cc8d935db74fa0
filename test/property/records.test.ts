/**
 * Properties of the client's storage formats: the record encoding (engine/store/records.ts) and the
 * encrypted store that seals each record (engine/store/encryptedStore.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeRecord,
  decodeVersioned,
  encodeRecord,
} from '../../src/shared/engine/store/records.ts';
import { EncryptedStore } from '../../src/shared/engine/store/encryptedStore.ts';
import { MemoryStorage } from '../../src/shared/engine/store/storage.ts';
import { fromUtf8, utf8 } from '../../src/shared/protocol/bytes.ts';
import { anyString, mutated, onlyFails, onlyFailsAsync, runs } from './support.ts';

const FAST = { memoryKiB: 8, iterations: 1, parallelism: 1 };

/** JSON-like values with byte strings anywhere; `$b` is the encoding's reserved key. */
const { value: recordValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    anyString,
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .dictionary(
        anyString.filter((k) => k !== '$b' && k !== '__proto__'),
        tie('value'),
        { maxKeys: 4 },
      )
      .map((o) => ({ ...o })),
  ),
}));

test('records round-trip, byte strings included', () => {
  fc.assert(
    fc.property(recordValue, (v) => {
      assert.deepEqual(decodeRecord(encodeRecord(v), 'test'), v);
    }),
    runs(500),
  );
});

test('decoding damaged or arbitrary bytes fails only with corrupt_store', () => {
  const check = (bytes: Uint8Array): void => {
    onlyFails(() => decodeRecord(bytes, 'test'), ['corrupt_store']);
    onlyFails(() => decodeVersioned(bytes, 'test', 1), ['corrupt_store']);
  };
  fc.assert(
    fc.property(
      recordValue.chain((v) => mutated(encodeRecord(v))),
      check,
    ),
    runs(500),
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), runs(300));
  fc.assert(
    fc.property(
      fc.oneof(anyString, fc.constantFrom('{"$b":"A"}', '{"$b":"*"}', '{"$b":"AB=="}')),
      (t) => check(utf8(t)),
    ),
    runs(300),
  );
});

test('a record nested past the stack fails as a corrupt record', () => {
  const deep = utf8('['.repeat(50_000) + ']'.repeat(50_000));
  assert.throws(() => decodeRecord(deep, 'test'), { code: 'corrupt_store' });
  const deepObject = utf8('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000));
  assert.throws(() => decodeVersioned(deepObject, 'test', 1), { code: 'corrupt_store' });
});

test('versioned records of another version are refused', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer(), (stored, wanted) => {
      fc.pre(stored !== wanted);
      assert.throws(() => decodeVersioned(encodeRecord({ v: stored }), 'test', wanted), {
        code: 'corrupt_store',
      });
      assert.deepEqual(decodeVersioned(encodeRecord({ v: stored }), 'test', stored), { v: stored });
    }),
    runs(100),
  );
});

const name = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.constantFrom('conv/alice@maison.example', 'account', 'header', 'outbox/1'),
);

test('the store gives back what was put, under names it never reveals', async () => {
  const storage = new MemoryStorage();
  const store = await EncryptedStore.open(storage, 'pw', { create: true, kdf: FAST });
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(fc.tuple(name, fc.uint8Array({ maxLength: 300 })), {
        selector: ([n]) => n,
        minLength: 1,
        maxLength: 6,
      }),
      async (entries) => {
        const tx = store.tx();
        for (const [n, v] of entries) tx.put(n, v);
        await tx.commit();
        for (const [n, v] of entries) {
          assert.deepEqual(await store.get(n), v);
          const key = await store.storageKey(n);
          assert.match(key, /^r[A-Za-z0-9_-]{27}$/);
          // Shorter names could match by chance.
          if (n.length >= 8) assert.ok(!key.includes(n));
        }
      },
    ),
    runs(100),
  );
  const reopened = await EncryptedStore.open(storage, 'pw');
  assert.deepEqual(await reopened.get('account'), await store.get('account'));
});

test('a wrong passphrase fails with locked', async () => {
  await fc.assert(
    fc.asyncProperty(anyString, anyString, async (right, wrong) => {
      fc.pre(right !== wrong && right !== '' && fromUtf8(utf8(right)) === right);
      const storage = new MemoryStorage();
      await EncryptedStore.open(storage, right, { create: true, kdf: FAST });
      await assert.rejects(EncryptedStore.open(storage, wrong), { code: 'locked' });
    }),
    runs(20),
  );
  await assert.rejects(EncryptedStore.open(new MemoryStorage(), '', { create: true, kdf: FAST }), {
    code: 'usage',
  });
});

test('a damaged, truncated or swapped record fails authentication', async () => {
  const storage = new MemoryStorage();
  const store = await EncryptedStore.open(storage, 'pw', { create: true, kdf: FAST });
  await store.tx().put('a', utf8('first record')).put('b', utf8('second record')).commit();
  const keyA = await store.storageKey('a');
  const keyB = await store.storageKey('b');
  const sealedA = storage.records.get(keyA)!;
  const sealedB = storage.records.get(keyB)!;
  await fc.assert(
    fc.asyncProperty(mutated(sealedA), async (bad) => {
      storage.records.set(keyA, bad);
      await assert.rejects(store.get('a'), { code: 'corrupt_store' });
    }),
    runs(200),
  );
  storage.records.set(keyA, sealedB);
  await assert.rejects(store.get('a'), { code: 'corrupt_store' });
  storage.records.set(keyA, sealedA);
  assert.deepEqual(await store.get('a'), utf8('first record'));
});

test('opening a store whose header is damaged fails only with locked or corrupt_store', async () => {
  const storage = new MemoryStorage();
  await EncryptedStore.open(storage, 'pw', { create: true, kdf: FAST });
  const header = storage.records.get('header')!;
  const json = JSON.parse(new TextDecoder().decode(header)) as Record<string, unknown>;
  const kdf = json['kdf'] as Record<string, unknown>;
  const variants = fc.oneof(
    mutated(header),
    fc
      .tuple(fc.constantFrom('kdf', 'check', 'v'), fc.jsonValue())
      .map(([k, v]) => encodeRecord({ ...json, [k]: v })),
    fc
      .tuple(
        fc.constantFrom('alg', 'salt', 'memoryKiB', 'iterations', 'parallelism'),
        // Small numbers only: a valid large cost would just make the test slow.
        fc.jsonValue().filter((v) => typeof v !== 'number' || v < 64),
      )
      .map(([k, v]) => encodeRecord({ ...json, kdf: { ...kdf, [k]: v } })),
  );
  await fc.assert(
    fc.asyncProperty(variants, async (bad) => {
      const s = new MemoryStorage();
      s.records.set('header', bad);
      await onlyFailsAsync(() => EncryptedStore.open(s, 'pw'), ['locked', 'corrupt_store']);
    }),
    runs(300),
  );
});
