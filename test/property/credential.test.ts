/**
 * Properties of the device credential codec (protocol/credential.ts): round trip, canonical
 * encoding, bounded size, decoding that fails only with bad_request, and signatures that
 * hold only for the exact binding and keys that made them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkCredentialSignatures,
  decodeCredential,
  encodeCredential,
  instanceSignatureInput,
  MAX_CREDENTIAL_BYTES,
  type DeviceCredential,
} from '../../src/shared/protocol/credential.ts';
import {
  generateSignatureKeyPair,
  signBytes,
  signDeviceBinding,
} from '../../src/shared/mls/keys.ts';
import { bytesOf, deviceId, domain, mutated, onlyFails, runs, userName } from './support.ts';

const credential: fc.Arbitrary<DeviceCredential> = fc
  .record({
    user: userName,
    domain,
    deviceId,
    deviceKey: bytesOf(32),
    identityKey: bytesOf(32),
    identitySignature: bytesOf(64),
    instanceSignature: bytesOf(64),
  })
  .map((c) => ({ ...c }));

test('credentials round-trip, and their encoding fits the decoder bound', () => {
  fc.assert(
    fc.property(credential, (c) => {
      const bytes = encodeCredential(c);
      assert.ok(bytes.length <= MAX_CREDENTIAL_BYTES, `${bytes.length} bytes`);
      assert.deepEqual(decodeCredential(bytes), c);
    }),
    runs(300),
  );
});

test('the longest names a credential may carry still decode', () => {
  const c: DeviceCredential = {
    user: 'u'.repeat(32),
    domain: `${'d'.repeat(253)}:65535`,
    deviceId: 'A'.repeat(22),
    deviceKey: new Uint8Array(32),
    identityKey: new Uint8Array(32),
    identitySignature: new Uint8Array(64),
    instanceSignature: new Uint8Array(64),
  };
  assert.deepEqual(decodeCredential(encodeCredential(c)), c);
});

test('decoding damaged or arbitrary bytes fails only with bad_request; what decodes is canonical', () => {
  const check = (bytes: Uint8Array): void => {
    const c = onlyFails(() => decodeCredential(bytes), ['bad_request']);
    if (c !== undefined) assert.deepEqual(encodeCredential(c), bytes);
  };
  fc.assert(
    fc.property(
      credential.chain((c) => mutated(encodeCredential(c))),
      check,
    ),
    runs(1000),
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 700 }), check), runs(500));
});

test('signatures hold for the exact binding and keys only: a wrong key or a changed field fails', async () => {
  const identity = await generateSignatureKeyPair();
  const instance = await generateSignatureKeyPair();
  const other = await generateSignatureKeyPair();
  const field = fc.constantFrom('user', 'domain', 'deviceId', 'deviceKey', 'identityKey');
  await fc.assert(
    fc.asyncProperty(userName, domain, deviceId, bytesOf(32), field, async (u, d, id, dk, f) => {
      const binding = {
        user: u,
        domain: d,
        deviceId: id,
        deviceKey: dk,
        identityKey: identity.publicKey,
      };
      const identitySignature = await signDeviceBinding(identity, binding);
      const instanceSignature = await signBytes(
        instance,
        instanceSignatureInput(binding, identitySignature),
      );
      const c: DeviceCredential = { ...binding, identitySignature, instanceSignature };
      assert.equal(await checkCredentialSignatures(c, instance.publicKey), undefined);
      assert.equal(
        await checkCredentialSignatures(c, other.publicKey),
        'instance signature does not verify',
      );
      const changed: DeviceCredential = { ...c };
      if (f === 'deviceKey' || f === 'identityKey') {
        const k = c[f].slice();
        k[0] = k[0]! ^ 1;
        changed[f] = k;
      } else {
        changed[f] = c[f] === 'x' ? 'y' : 'x';
      }
      assert.notEqual(await checkCredentialSignatures(changed, instance.publicKey), undefined);
    }),
    runs(40),
  );
});
