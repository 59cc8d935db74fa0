/**
 * What the server cannot do to people: hand out a key package whose credential is forged
 * (signed by another "instance", or not by the user's identity key) — refused; or swap a
 * user's identity key — refused and flagged (identity_changed) until the user accepts it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeLeafKeyPackage } from '../../src/shared/mls/keyPackages.ts';
import { encodeMls } from '../../src/shared/mls/codec.ts';
import {
  generateSignatureKeyPair,
  signBytes,
  signDeviceBinding,
} from '../../src/shared/mls/keys.ts';
import { toBase64Url } from '../../src/shared/protocol/bytes.ts';
import {
  decodeCredential,
  encodeCredential,
  instanceSignatureInput,
  type DeviceBinding,
} from '../../src/shared/protocol/credential.ts';
import { openDatabase } from '../../src/server/storage/database.ts';
import { ApiDevice } from '../helpers/apiDevice.ts';
import {
  client,
  clientOk,
  findMarkers,
  nameMarker,
  registerEngine,
  removeDirs,
  scratchDir,
  startServer,
  type EngineClient,
} from '../helpers/scenario.ts';

/** Uploads, as `device`, a key package carrying `credential` instead of its real one. */
async function uploadForged(device: ApiDevice, credential: Uint8Array): Promise<void> {
  const { publicPackage } = await makeLeafKeyPackage({ signature: device.signature, credential });
  const bytes = encodeMls({
    version: 'mls10',
    wireformat: 'mls_key_package',
    keyPackage: publicPackage,
  });
  const r = await device.call('POST', '/api/v1/keypackages', { keyPackages: [toBase64Url(bytes)] });
  assert.equal(r.status, 200, `upload accepted by the server: ${JSON.stringify(r.body)}`);
}

test('forgedCredentialsAreRefused', async (t) => {
  const server = await startServer();
  const clients: EngineClient[] = [];
  t.after(async () => {
    for (const c of clients) await c.engine.close();
    await server.stop();
    removeDirs([server.dataDir, ...clients.map((c) => c.dir)]);
  });
  const alice = await registerEngine(server, nameMarker('alice'), server.adminInvite);
  clients.push(alice);
  const real = decodeCredential(
    (await ApiDevice.register(server.url, await server.invite(), 'control')).credential,
  );

  // Mallory signs her binding with her identity key, but the "instance" signature is her own.
  const mallory = await ApiDevice.register(
    server.url,
    await server.invite(),
    nameMarker('mallory'),
  );
  const binding: DeviceBinding = {
    user: mallory.name,
    domain: real.domain,
    deviceId: mallory.id,
    deviceKey: mallory.signature.publicKey,
    identityKey: mallory.identity.publicKey,
  };
  const identitySignature = await signDeviceBinding(mallory.identity, binding);
  const fakeInstance = await generateSignatureKeyPair();
  await uploadForged(
    mallory,
    encodeCredential({
      ...binding,
      identitySignature,
      instanceSignature: await signBytes(
        fakeInstance,
        instanceSignatureInput(binding, identitySignature),
      ),
    }),
  );
  await assert.rejects(alice.engine.openDirect(mallory.name), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'crypto_failed');
    assert.match(err.message, /instance signature/);
    return true;
  });

  // Eve's credential is signed by the real instance key but claims an identity key whose
  // signature she cannot make: she signs with another key.
  const eve = await ApiDevice.register(server.url, await server.invite(), nameMarker('eve'));
  const eveReal = decodeCredential(eve.credential);
  const otherKey = await generateSignatureKeyPair();
  await uploadForged(
    eve,
    encodeCredential({
      ...eveReal,
      identitySignature: await signDeviceBinding(otherKey, eveReal),
    }),
  );
  await assert.rejects(alice.engine.openDirect(eve.name), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'crypto_failed');
    assert.match(err.message, /identity signature/);
    return true;
  });

  // Nothing was created, and each refusal was reported.
  assert.deepEqual(await alice.engine.conversations(), []);
  const refusals = alice.events.filter((e) => e.type === 'error' && e.code === 'crypto_failed');
  assert.equal(refusals.length, 2);
});

test('aChangedIdentityKeyRaisesTheWarningUntilAccepted', async (t) => {
  const server = await startServer();
  const stores = { alice: scratchDir('alice'), bob: scratchDir('bob'), bob2: scratchDir('newbob') };
  t.after(async () => {
    await server.stop();
    removeDirs([server.dataDir, ...Object.values(stores)]);
  });
  const alice = nameMarker('alice');
  const bob = nameMarker('bob');
  await clientOk(
    stores.alice,
    'register',
    '--server',
    server.url,
    '--invite',
    server.adminInvite,
    '--name',
    alice,
  );
  await clientOk(
    stores.bob,
    'register',
    '--server',
    server.url,
    '--invite',
    await server.invite(),
    '--name',
    bob,
  );
  const { conversation } = await clientOk(stores.alice, 'open', bob);
  const before = await clientOk(stores.alice, 'safety', bob, '--verify');
  assert.equal(before.verified, true);

  // The server's operator hands the name to someone else: a new account "bob" with a new
  // identity key (the old account is renamed aside, as a compromised server could do).
  const db = openDatabase({ dataDir: server.dataDir, create: false });
  db.prepare('UPDATE users SET name = ? WHERE name = ?').run(`${bob}-old`, bob);
  db.close();
  await clientOk(
    stores.bob2,
    'register',
    '--server',
    server.url,
    '--invite',
    await server.invite(),
    '--name',
    bob,
  );

  // Alice is warned wherever she meets the new key, and nothing goes to it.
  const reopened = await client(stores.alice, 'open', bob);
  assert.equal(reopened.code, 1);
  assert.equal(reopened.json.error.code, 'identity_changed');
  const created = await client(stores.alice, 'group', 'create', '--title', 'x', '--members', bob);
  assert.equal(created.json.error.code, 'identity_changed');
  const warned = await clientOk(stores.alice, 'safety', bob);
  assert.equal(warned.changed, true);
  assert.notEqual(warned.digits, before.digits);
  assert.equal((await clientOk(stores.alice, 'conversations')).conversations.length, 1);

  // Once she accepts it (after checking with the new bob), it is the pinned, unverified key.
  await clientOk(stores.alice, 'trust', 'accept', bob);
  const accepted = await clientOk(stores.alice, 'safety', bob);
  assert.equal(accepted.changed, false);
  assert.equal(accepted.verified, false);
  assert.equal(accepted.digits, warned.digits);
  const group = await clientOk(
    stores.alice,
    'group',
    'create',
    '--title',
    'again',
    '--members',
    bob,
  );
  assert.deepEqual(group.conversation.members, [alice, bob].sort());
  assert.notEqual(group.conversation.id, conversation.id);

  await server.stop();
  assert.deepEqual(findMarkers([server.dataDir, ...Object.values(stores)], [alice, bob]), []);
});
