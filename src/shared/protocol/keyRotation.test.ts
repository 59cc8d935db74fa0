import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKeyPair, sign, type SigningKeyPair } from '../crypto/ed25519.ts';
import {
  followRotations,
  parseRotations,
  rotationSignatureInput,
  rotationToJson,
  type KeyRotation,
} from './keyRotation.ts';
import { FoyerError } from './errors.ts';

const D = 'chez-bob.example';

async function rotation(
  from: SigningKeyPair,
  to: SigningKeyPair,
  at: number,
  signer: SigningKeyPair = from,
): Promise<KeyRotation> {
  const r = { oldKey: from.publicKey, newKey: to.publicKey, at };
  return { ...r, signature: await sign(signer, rotationSignatureInput(r)) };
}

async function keys(n: number): Promise<SigningKeyPair[]> {
  return Promise.all(Array.from({ length: n }, () => generateSigningKeyPair()));
}

function refused(reason: string) {
  return (err: unknown) =>
    err instanceof FoyerError &&
    err.code === 'peer_key_changed' &&
    err.details?.['reason'] === reason;
}

test('a chain signed link by link leads from the pinned key to the current one', async () => {
  const [k0, k1, k2] = await keys(3);
  const chain = [await rotation(k0!, k1!, 1000), await rotation(k1!, k2!, 2000)];
  const followed = await followRotations(D, k0!.publicKey, k2!.publicKey, chain);
  assert.deepEqual(
    followed.map((r) => r.newKey),
    [k1!.publicKey, k2!.publicKey],
  );
  // From a key in the middle of the chain: only the rest is followed.
  const rest = await followRotations(D, k1!.publicKey, k2!.publicKey, chain);
  assert.deepEqual(
    rest.map((r) => r.newKey),
    [k2!.publicKey],
  );
  // The pinned key is the current one: nothing to follow.
  assert.deepEqual(await followRotations(D, k2!.publicKey, k2!.publicKey, chain), []);
  // The chain survives its JSON form.
  const back = parseRotations(JSON.parse(JSON.stringify(chain.map(rotationToJson))));
  assert.deepEqual(await followRotations(D, k0!.publicKey, k2!.publicKey, back), followed);
});

test('a statement signed by a key other than the old one is refused', async () => {
  const [k0, k1, attacker] = await keys(3);
  // The attacker claims k0 handed over to its key, signing with its own key.
  const forged = await rotation(k0!, attacker!, 1000, attacker);
  await assert.rejects(
    followRotations(D, k0!.publicKey, attacker!.publicKey, [forged]),
    refused('bad_signature'),
  );
  // A real statement with its signature altered.
  const real = await rotation(k0!, k1!, 1000);
  const altered = { ...real, signature: real.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
  await assert.rejects(
    followRotations(D, k0!.publicKey, k1!.publicKey, [altered]),
    refused('bad_signature'),
  );
  // A statement moved to another time than the one signed.
  await assert.rejects(
    followRotations(D, k0!.publicKey, k1!.publicKey, [{ ...real, at: 999 }]),
    refused('bad_signature'),
  );
});

test('a chain that does not start at the pinned key is refused', async () => {
  const [pinned, k1, k2] = await keys(3);
  // A genuine chain k1 → k2, but this instance pinned another key.
  const chain = [await rotation(k1!, k2!, 1000)];
  await assert.rejects(
    followRotations(D, pinned!.publicKey, k2!.publicKey, chain),
    refused('not_from_pinned_key'),
  );
  await assert.rejects(
    followRotations(D, pinned!.publicKey, k2!.publicKey, []),
    refused('not_from_pinned_key'),
  );
});

test('statements in the wrong order are refused', async () => {
  const [k0, k1, k2] = await keys(3);
  const a = await rotation(k0!, k1!, 1000);
  const b = await rotation(k1!, k2!, 2000);
  // k0 → k1 must come before k1 → k2: in the other order the link after k0 → k1 is missing.
  await assert.rejects(
    followRotations(D, k0!.publicKey, k2!.publicKey, [b, a]),
    refused('not_to_current_key'),
  );
  // A gap: k0 → k1 then a statement that starts from another key.
  const [k3] = await keys(1);
  const c = await rotation(k3!, k2!, 2000);
  await assert.rejects(
    followRotations(D, k0!.publicKey, k2!.publicKey, [a, c]),
    refused('broken_link'),
  );
  // Time going back along the chain.
  const early = await rotation(k1!, k2!, 500);
  await assert.rejects(
    followRotations(D, k0!.publicKey, k2!.publicKey, [a, early]),
    refused('time_goes_back'),
  );
});

test('a chain that ends before the current key is refused', async () => {
  const [k0, k1, k2] = await keys(3);
  await assert.rejects(
    followRotations(D, k0!.publicKey, k2!.publicKey, [await rotation(k0!, k1!, 1000)]),
    refused('not_to_current_key'),
  );
});

test('malformed statements are refused when parsed', () => {
  const ok = { old: 'A'.repeat(43), new: 'Q'.repeat(42) + 'A', at: 1, signature: 'A'.repeat(86) };
  assert.equal(parseRotations([ok]).length, 1);
  assert.deepEqual(parseRotations(undefined), []);
  for (const bad of [
    'x',
    [{ ...ok, old: 'A'.repeat(42) }],
    [{ ...ok, new: 7 }],
    [{ ...ok, at: -1 }],
    [{ ...ok, at: 1.5 }],
    [{ ...ok, signature: 'A'.repeat(80) }],
    [null],
    new Array(1025).fill(ok),
  ]) {
    assert.throws(
      () => parseRotations(bad),
      (e: unknown) => e instanceof FoyerError && e.code === 'bad_request',
    );
  }
});
