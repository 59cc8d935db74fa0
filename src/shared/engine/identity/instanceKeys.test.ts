import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKeyPair, sign, type SigningKeyPair } from '../../crypto/ed25519.ts';
import { toBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { InstanceInfo } from '../../protocol/api.ts';
import {
  rotationSignatureInput,
  rotationToJson,
  type KeyRotation,
} from '../../protocol/keyRotation.ts';
import { InstanceKeyRing, learnInstanceKeys } from './instanceKeys.ts';

const D = 'chez-bob.example';

async function rotation(from: SigningKeyPair, to: SigningKeyPair, at: number) {
  const r = { oldKey: from.publicKey, newKey: to.publicKey, at };
  return { ...r, signature: await sign(from, rotationSignatureInput(r)) };
}

function info(current: SigningKeyPair, chain: KeyRotation[]): InstanceInfo {
  return {
    domain: D,
    instanceKey: toBase64Url(current.publicKey),
    rotations: chain.map(rotationToJson),
  };
}

test('first contact trusts the whole chain its server gives; then only what follows', async () => {
  const [k0, k1, k2] = await Promise.all([1, 2, 3].map(() => generateSigningKeyPair()));
  const a = await rotation(k0!, k1!, 1);
  const first = await learnInstanceKeys(D, [], info(k1!, [a]), false);
  assert.deepEqual(first, [k0!.publicKey, k1!.publicKey]);
  const b = await rotation(k1!, k2!, 2);
  const next = await learnInstanceKeys(D, first, info(k2!, [a, b]), false);
  assert.deepEqual(next, [k0!.publicKey, k1!.publicKey, k2!.publicKey]);
});

test('once a key is pinned, a server cannot add a key the pinned one did not hand over to', async () => {
  const [k0, k1, planted] = await Promise.all([1, 2, 3].map(() => generateSigningKeyPair()));
  // An unrelated current key: refused.
  await assert.rejects(
    learnInstanceKeys(D, [k0!.publicKey], info(planted!, []), false),
    (e: unknown) => e instanceof FoyerError && e.code === 'peer_key_changed',
  );
  // A key planted before the pinned one (planted → k0, signed by the planted key) is not
  // taken for another instance...
  const before = await rotation(planted!, k0!, 1);
  assert.deepEqual(await learnInstanceKeys(D, [k0!.publicKey], info(k0!, [before]), false), [
    k0!.publicKey,
  ]);
  // ...only for the account's own instance, whose server holds its current key anyway.
  assert.deepEqual(await learnInstanceKeys(D, [k0!.publicKey], info(k0!, [before]), true), [
    planted!.publicKey,
    k0!.publicKey,
  ]);
  // A ring keeps its keys when the answer does not follow from them.
  const chains: Record<string, Uint8Array[]> = { [D]: [k1!.publicKey] };
  const ring = new InstanceKeyRing({
    ownDomain: 'maison.example',
    ownKey: k0!.publicKey,
    chains,
    fetch: async () => info(planted!, []),
  });
  assert.equal(await ring.refresh(D), false);
  assert.deepEqual(await ring.keys(D), [k1!.publicKey]);
});

test('first contact with a chain that does not verify trusts only the current key', async () => {
  const [k0, k1, other] = await Promise.all([1, 2, 3].map(() => generateSigningKeyPair()));
  // Claims k0 handed over to k1, but signed by another key.
  const forged = {
    ...(await rotation(k0!, k1!, 1)),
    signature: (await rotation(other!, k1!, 1)).signature,
  };
  assert.deepEqual(await learnInstanceKeys(D, [], info(k1!, [forged]), false), [k1!.publicKey]);
  assert.deepEqual(await learnInstanceKeys(D, [], info(k1!, [forged]), true), [k1!.publicKey]);
});
