import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes, toBase64Url, utf8 } from '../protocol/bytes.ts';
import {
  encodeCredential,
  instanceSignatureInput,
  type DeviceBinding,
} from '../protocol/credential.ts';
import { FoyerError } from '../protocol/errors.ts';
import { generateSignatureKeyPair, signBytes, signDeviceBinding } from './keys.ts';
import { makeTestIdentity, makeTestInstance, memoryTrustStore, trustInstance } from './testing.ts';
import { checkLeafCredential, foyerAuthService, type TrustStore } from './trust.ts';

const basic = (identity: Uint8Array) => ({ credentialType: 'basic' as const, identity });

async function setup() {
  const instance = await makeTestInstance();
  const alice = await makeTestIdentity({
    user: 'alice',
    domain: instance.domain,
    instanceKey: instance.key,
  });
  return { instance, alice, trust: trustInstance(instance) };
}

async function refusal(
  credential: Parameters<typeof checkLeafCredential>[0],
  key: Uint8Array,
  trust: TrustStore,
): Promise<string> {
  const service = foyerAuthService(trust);
  assert.equal(await service.validateCredential(credential, key), false);
  const check = await checkLeafCredential(credential, key, trust);
  assert.equal(check.ok, false);
  return check.ok ? '' : check.reason;
}

test('a valid credential is accepted and its identity offered to the trust store', async () => {
  const { alice, trust } = await setup();
  assert.equal(
    await foyerAuthService(trust).validateCredential(
      basic(alice.credential),
      alice.device.publicKey,
    ),
    true,
  );
  const check = await checkLeafCredential(basic(alice.credential), alice.device.publicKey, trust);
  assert.ok(check.ok);
  assert.equal(check.credential.user, 'alice');
  assert.equal(trust.calls.acceptIdentity, 2);
  assert.deepEqual(trust.pins.get('alice@maison.example'), alice.identity.publicKey);
});

test('refuses non-basic credentials', async () => {
  const { alice, trust } = await setup();
  const x509 = { credentialType: 'x509' as const, certificates: [alice.credential] };
  assert.equal(await refusal(x509, alice.device.publicKey, trust), 'not a basic credential');
});

test('refuses malformed identities without throwing', async () => {
  const { alice, trust } = await setup();
  for (const bytes of [
    new Uint8Array(),
    utf8('alice'),
    alice.credential.subarray(0, 40),
    randomBytes(600),
  ]) {
    assert.match(
      await refusal(basic(bytes), alice.device.publicKey, trust),
      /malformed|version|credential/,
    );
  }
});

test('refuses a credential whose device key is not the leaf key', async () => {
  const { alice, trust } = await setup();
  const other = await generateSignatureKeyPair();
  assert.equal(
    await refusal(basic(alice.credential), other.publicKey, trust),
    'device key differs from the leaf signature key',
  );
  assert.equal(trust.calls.acceptIdentity, 0, 'never reaches the identity check');
});

test('refuses an unknown domain and a wrong instance key', async () => {
  const { alice } = await setup();
  const unknown = memoryTrustStore();
  assert.equal(
    await refusal(basic(alice.credential), alice.device.publicKey, unknown),
    'unknown instance key for the domain',
  );
  const impostor = await makeTestInstance();
  assert.equal(
    await refusal(basic(alice.credential), alice.device.publicKey, trustInstance(impostor)),
    'instance signature does not verify',
  );
});

test('refuses a wrong identity signature (a ghost device added by a server)', async () => {
  const { instance, alice, trust } = await setup();
  // The instance signs a device binding whose identity signature comes from another key:
  // exactly what a server that invents a device for alice could produce.
  const ghost = await generateSignatureKeyPair();
  const binding: DeviceBinding = {
    user: 'alice',
    domain: instance.domain,
    deviceId: toBase64Url(randomBytes(16)),
    deviceKey: ghost.publicKey,
    identityKey: alice.identity.publicKey,
  };
  const identitySignature = await signDeviceBinding(ghost, binding);
  const instanceSignature = await signBytes(
    instance.key,
    instanceSignatureInput(binding, identitySignature),
  );
  const forged = encodeCredential({ ...binding, identitySignature, instanceSignature });
  assert.equal(
    await refusal(basic(forged), ghost.publicKey, trust),
    'identity signature does not verify',
  );
});

test('refuses an identity the trust store does not accept', async () => {
  const { instance, alice, trust } = await setup();
  // Pin alice's real identity key, then meet an "alice" with a new identity key.
  assert.ok((await checkLeafCredential(basic(alice.credential), alice.device.publicKey, trust)).ok);
  const newAlice = await makeTestIdentity({
    user: 'alice',
    domain: instance.domain,
    instanceKey: instance.key,
  });
  assert.equal(
    await refusal(basic(newAlice.credential), newAlice.device.publicKey, trust),
    'identity key refused by the trust store',
  );
  // A second device of the same user (same identity key) is fine.
  const second = await makeTestIdentity({
    user: 'alice',
    domain: instance.domain,
    instanceKey: instance.key,
    identityKey: alice.identity,
  });
  assert.ok(
    (await checkLeafCredential(basic(second.credential), second.device.publicKey, trust)).ok,
  );
});

test('a failing trust store propagates instead of looking like a forgery', async () => {
  const { alice } = await setup();
  const offline: TrustStore = {
    instanceKeys: () => Promise.reject(new FoyerError('network', 'instance unreachable')),
    acceptIdentity: async () => true,
  };
  await assert.rejects(
    foyerAuthService(offline).validateCredential(basic(alice.credential), alice.device.publicKey),
    (err) => err instanceof FoyerError && err.code === 'network',
  );
});
