import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importSigningKeyPair, sign, verify } from '../crypto/ed25519.ts';
import { randomBytes, toBase64Url, utf8 } from '../protocol/bytes.ts';
import { identitySignatureInput, type DeviceBinding } from '../protocol/credential.ts';
import { FoyerError } from '../protocol/errors.ts';
import { generateSignatureKeyPair, signBytes, signDeviceBinding } from './keys.ts';

test('signBytes makes plain Ed25519 signatures that crypto/ed25519 verify accepts', async () => {
  const key = await generateSignatureKeyPair();
  assert.equal(key.publicKey.length, 32);
  const message = utf8('foyer/v1 session\0challenge');
  const signature = await signBytes(key, message);
  assert.equal(signature.length, 64);
  assert.equal(await verify(key.publicKey, message, signature), true);
  assert.equal(await verify(key.publicKey, utf8('another message'), signature), false);
  const other = await generateSignatureKeyPair();
  assert.equal(await verify(other.publicKey, message, signature), false);
});

test('the private key is PKCS#8 that crypto/ed25519 can import and sign with', async () => {
  const key = await generateSignatureKeyPair();
  const imported = await importSigningKeyPair(key.privateKey, key.publicKey);
  const message = randomBytes(100);
  // Ed25519 is deterministic: both paths give the same signature.
  assert.deepEqual(await sign(imported, message), await signBytes(key, message));
});

test('signDeviceBinding signs identitySignatureInput(binding)', async () => {
  const identity = await generateSignatureKeyPair();
  const device = await generateSignatureKeyPair();
  const binding: DeviceBinding = {
    user: 'alice',
    domain: 'maison.example',
    deviceId: toBase64Url(randomBytes(16)),
    deviceKey: device.publicKey,
    identityKey: identity.publicKey,
  };
  const signature = await signDeviceBinding(identity, binding);
  assert.equal(await verify(identity.publicKey, identitySignatureInput(binding), signature), true);
  assert.equal(
    await verify(
      identity.publicKey,
      identitySignatureInput({ ...binding, user: 'bob' }),
      signature,
    ),
    false,
  );
});

test('signBytes with an unusable private key fails with crypto_failed', async () => {
  const key = await generateSignatureKeyPair();
  await assert.rejects(
    signBytes({ publicKey: key.publicKey, privateKey: new Uint8Array(48) }, utf8('x')),
    (err) => err instanceof FoyerError && err.code === 'crypto_failed',
  );
});
