import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { concatBytes, toBase64Url } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import { decodeMlsAs } from './codec.ts';
import {
  createKeyPackage,
  decodePrivateKeyPackage,
  isLastResort,
  KEY_PACKAGE_LIFETIME_SECONDS,
} from './keyPackages.ts';
import { keyPackageRef } from './refs.ts';
import { getSuite } from './suite.ts';
import { makeTestHousehold } from './testing.ts';

async function aliceWithTrust() {
  const h = await makeTestHousehold(['alice']);
  return { alice: h.devices[0]!, trust: h.trust };
}

test('a key package uses the device key as leaf key and carries the credential', async () => {
  const { alice, trust } = await aliceWithTrust();
  const created = await createKeyPackage(alice.me, trust);
  const { keyPackage } = decodeMlsAs(created.publicPackage, 'mls_key_package', 'kp', 'bad_request');
  assert.equal(keyPackage.cipherSuite, 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519');
  assert.deepEqual(keyPackage.leafNode.signaturePublicKey, alice.device.publicKey);
  assert.deepEqual(keyPackage.leafNode.credential, {
    credentialType: 'basic',
    identity: alice.credential,
  });
  assert.equal(isLastResort(keyPackage), false);
  const { notBefore, notAfter } = keyPackage.leafNode.lifetime;
  const now = BigInt(Math.floor(Date.now() / 1000));
  assert.ok(notBefore <= now && notAfter > now);
  assert.ok(notAfter - now <= BigInt(KEY_PACKAGE_LIFETIME_SECONDS));
  assert.ok(notAfter - now >= BigInt(KEY_PACKAGE_LIFETIME_SECONDS - 60));
  const priv = decodePrivateKeyPackage(created.privatePackage);
  assert.deepEqual(priv.signaturePrivateKey, alice.device.privateKey);
});

test('the ref is the RFC 9420 KeyPackageRef, computed synchronously', async () => {
  const { alice, trust } = await aliceWithTrust();
  const created = await createKeyPackage(alice.me, trust);
  const { keyPackage } = decodeMlsAs(created.publicPackage, 'mls_key_package', 'kp', 'bad_request');
  const suite = await getSuite();
  const expected = toBase64Url(await makeKeyPackageRef(keyPackage, suite.hash));
  assert.equal(created.ref, expected);
  assert.equal(keyPackageRef(keyPackage), expected);
  const another = await createKeyPackage(alice.me, trust);
  assert.notEqual(another.ref, created.ref, 'each package has its own ref');
});

test('last-resort packages carry the extension; lifetime can be set', async () => {
  const { alice, trust } = await aliceWithTrust();
  const created = await createKeyPackage(alice.me, trust, {
    lastResort: true,
    lifetimeSeconds: 3600,
  });
  const { keyPackage } = decodeMlsAs(created.publicPackage, 'mls_key_package', 'kp', 'bad_request');
  assert.equal(isLastResort(keyPackage), true);
  const now = BigInt(Math.floor(Date.now() / 1000));
  assert.ok(keyPackage.leafNode.lifetime.notAfter - now <= 3600n);
});

test('decodePrivateKeyPackage refuses other versions and malformed bytes', async () => {
  const { alice, trust } = await aliceWithTrust();
  const { privatePackage } = await createKeyPackage(alice.me, trust);
  const cases = [
    concatBytes(Uint8Array.of(2), privatePackage.subarray(1)),
    privatePackage.subarray(0, privatePackage.length - 1),
    concatBytes(privatePackage, Uint8Array.of(0)),
    new Uint8Array(),
  ];
  for (const bytes of cases) {
    assert.throws(
      () => decodePrivateKeyPackage(bytes),
      (err) => err instanceof FoyerError && err.code === 'crypto_failed',
    );
  }
});
