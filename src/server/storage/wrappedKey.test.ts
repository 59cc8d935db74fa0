import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DEFAULT_SCRYPT, unwrapDataKey, wrapDataKey } from './wrappedKey.ts';
import { StorageError } from './errors.ts';

const FAST = { N: 2 ** 12, r: 8, p: 1 };

test('wrap then unwrap returns the key, with the default scrypt cost', () => {
  const key = new Uint8Array(randomBytes(32));
  const text = wrapDataKey(key, 'a long passphrase');
  const parsed = JSON.parse(text) as { version: number; kdf: { N: number }; cipher: string };
  assert.equal(parsed.version, 1);
  assert.equal(parsed.kdf.N, DEFAULT_SCRYPT.N);
  assert.equal(parsed.cipher, 'aes-256-gcm');
  assert.deepEqual(unwrapDataKey(text, 'a long passphrase', 'f'), key);
  assert.equal(text.includes(Buffer.from(key).toString('hex')), false);
});

test('a wrong passphrase fails with a clear unlock error', () => {
  const text = wrapDataKey(new Uint8Array(32), 'right passphrase', FAST);
  assert.throws(
    () => unwrapDataKey(text, 'wrong passphrase', '/d/foyer.key.wrapped'),
    (err: unknown) =>
      err instanceof StorageError &&
      err.code === 'locked' &&
      /^cannot unlock the database: the passphrase does not open \/d\/foyer\.key\.wrapped/.test(
        err.message,
      ),
  );
});

test('lowered KDF parameters are detected (they are authenticated)', () => {
  const file = JSON.parse(
    wrapDataKey(new Uint8Array(32), 'right passphrase', { N: 2 ** 13, r: 8, p: 1 }),
  ) as {
    kdf: { N: number };
  };
  file.kdf.N = 2 ** 12;
  assert.throws(
    () => unwrapDataKey(JSON.stringify(file), 'right passphrase', 'f'),
    /passphrase does not open/,
  );
});

test('damaged files and unbounded parameters are refused before any KDF work', () => {
  const good = JSON.parse(wrapDataKey(new Uint8Array(32), 'right passphrase', FAST)) as Record<
    string,
    unknown
  >;
  const cases: Array<[string, string]> = [
    ['{', 'damaged'],
    [JSON.stringify({ ...good, version: 2 }), 'unknown version 2'],
    [JSON.stringify({ ...good, kdf: { ...(good.kdf as object), N: 2 ** 24 } }), 'out of bounds'],
    [JSON.stringify({ ...good, kdf: { ...(good.kdf as object), N: 5000 } }), 'out of bounds'],
    [JSON.stringify({ ...good, nonce: 'AAAA' }), 'bad nonce'],
    [JSON.stringify({ ...good, ciphertext: 'AAAA' }), 'bad ciphertext'],
  ];
  for (const [text, why] of cases) {
    assert.throws(
      () => unwrapDataKey(text, 'right passphrase', 'f'),
      (err: unknown) =>
        err instanceof StorageError && err.code === 'locked' && err.message.includes(why),
      why,
    );
  }
});
