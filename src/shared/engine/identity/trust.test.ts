import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncryptedStore } from '../store/encryptedStore.ts';
import { MemoryStorage } from '../store/storage.ts';
import { rec } from '../store/model.ts';
import { Emitter } from '../core/events.ts';
import { EngineTrustStore } from './trust.ts';
import { generateSigningKeyPair, sign } from '../../crypto/ed25519.ts';
import { toBase64Url } from '../../protocol/bytes.ts';
import { rotationSignatureInput, rotationToJson } from '../../protocol/keyRotation.ts';
import type { InstanceInfo } from '../../protocol/api.ts';

const FAST = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const D = 'chez-bob.example';

test('instance keys: a pin from before rotations is kept; a followed rotation is stored', async () => {
  const storage = new MemoryStorage();
  const store = await EncryptedStore.open(storage, 'pw', { create: true, kdf: FAST });
  const [own, k0, k1] = await Promise.all([1, 2, 3].map(() => generateSigningKeyPair()));
  // A record as written before rotations existed: one key per instance.
  await store
    .tx()
    .putRecord(rec.trust, { v: 1, pins: {}, instances: { [D]: k0!.publicKey } })
    .commit();
  const statement = { oldKey: k0!.publicKey, newKey: k1!.publicKey, at: 1 };
  const answer: InstanceInfo = {
    domain: D,
    instanceKey: toBase64Url(k1!.publicKey),
    rotations: [
      rotationToJson({
        ...statement,
        signature: await sign(k0!, rotationSignatureInput(statement)),
      }),
    ],
  };
  const owner = {
    user: 'alice',
    domain: 'maison.example',
    identityKey: own!.publicKey,
    instanceKey: own!.publicKey,
  };
  const open = () =>
    new EngineTrustStore(
      store,
      new Emitter(),
      owner,
      () => 0,
      async () => answer,
    );
  const trust = open();
  assert.deepEqual(await trust.instanceKeys(D), [k0!.publicKey]);
  assert.deepEqual(await trust.instanceKeys('maison.example'), [own!.publicKey]);
  assert.equal(await trust.refreshInstanceKeys(D), true);
  assert.deepEqual(await trust.instanceKeys(D), [k0!.publicKey, k1!.publicKey]);
  // Asking again learns nothing more.
  assert.equal(await trust.refreshInstanceKeys(D), false);
  // Reopened: the followed key is in the encrypted store.
  assert.deepEqual(await open().instanceKeys(D), [k0!.publicKey, k1!.publicKey]);
});
