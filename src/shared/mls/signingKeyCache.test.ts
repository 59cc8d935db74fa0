import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verify } from '../crypto/ed25519.ts';
import { randomBytes } from '../protocol/bytes.ts';
import { getSuite } from './suite.ts';

test('the cached signer re-imports a key array changed in place', async () => {
  const suite = await getSuite();
  const k1 = await suite.signature.keygen();
  const k2 = await suite.signature.keygen();
  const message = randomBytes(64);
  const signKey = k1.signKey.slice();
  const first = await suite.signature.sign(signKey, message);
  assert.equal(await verify(k1.publicKey, message, first), true);
  // Same array object, new bytes: must sign with the new key, not the cached one.
  signKey.set(k2.signKey);
  const second = await suite.signature.sign(signKey, message);
  assert.equal(await verify(k2.publicKey, message, second), true);
  assert.equal(await verify(k1.publicKey, message, second), false);
  // Zeroed in place: no longer a valid key, so signing fails instead of using the cache.
  signKey.fill(0);
  await assert.rejects(suite.signature.sign(signKey, message));
});

test('the cached signer matches ts-mls signatures and verifies through crypto/ed25519', async () => {
  const suite = await getSuite();
  const { signKey, publicKey } = await suite.signature.keygen();
  const message = randomBytes(32);
  const signature = await suite.signature.sign(signKey, message);
  assert.equal(await suite.signature.verify(publicKey, message, signature), true);
  const tampered = signature.slice();
  tampered[0]! ^= 1;
  assert.equal(await suite.signature.verify(publicKey, message, tampered), false);
  assert.equal(await suite.signature.verify(new Uint8Array(31), message, signature), false);
});
