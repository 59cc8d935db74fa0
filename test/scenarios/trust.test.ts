/**
 * What the server cannot do to people: hand out a key package whose credential is forged
 * (signed by another "instance", or not by the user's identity key) — refused; or swap a
 * user's identity key — refused and flagged (identity_changed) until the user accepts it.
 * The legitimate swap (the admin removes an account, the name is registered again) gets the
 * same warning: clients cannot tell the two apart, and should not.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
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
  at,
  client,
  clientOk,
  findMarkers,
  nameMarker,
  registerEngine,
  removeDirs,
  ROOT,
  scratchDir,
  registerCli,
  startServer,
  type EngineClient,
  type RunResult,
  type ScenarioServer,
  tearDown,
} from '../helpers/scenario.ts';

/** `foyer ARGS --data SERVER_DATA`, the admin command beside the running server. */
async function adminCommand(server: ScenarioServer, ...args: string[]): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('FOYER_')) delete env[key];
  env['FOYER_LOG_LEVEL'] = 'warn';
  const proc = spawn(
    process.execPath,
    [join(ROOT, 'src/cli/main.ts'), ...args, '--data', server.dataDir],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Uploads, as `device`, a key package carrying `credential` instead of its real one. */
async function uploadForged(device: ApiDevice, credential: Uint8Array): Promise<void> {
  const { publicPackage } = await makeLeafKeyPackage({ signature: device.signature, credential });
  const bytes = encodeMls({
    version: 'mls10',
    wireformat: 'mls_key_package',
    keyPackage: publicPackage,
  });
  const r = await device.call<{ error: { code: string } }>('POST', '/api/v1/keypackages', {
    keyPackages: [toBase64Url(bytes)],
  });
  // The server checks the whole credential against the one it issued (issue 8, finding 9);
  // the clients' own refusal of forged credentials is src/shared/mls/forgedCredentials.test.ts.
  assert.equal(r.status, 403, `upload accepted by the server: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error.code, 'forbidden');
}

/** Opening a conversation with someone whose only packages were forged finds none. */
function refusedForLackOfPackages(err: Error & { code?: string }): boolean {
  assert.equal(err.code, 'no_key_package');
  return true;
}

test('forgedCredentialsAreRefused', async (t) => {
  const server = await startServer();
  const clients: EngineClient[] = [];
  t.after(() => tearDown([server], clients));
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
  await assert.rejects(alice.engine.openDirect(mallory.name), refusedForLackOfPackages);

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
  await assert.rejects(alice.engine.openDirect(eve.name), refusedForLackOfPackages);

  // Nothing forged reached alice, and nothing was created.
  assert.deepEqual(await alice.engine.conversations(), []);
});

interface IdentityChangeSetup {
  server: ScenarioServer;
  stores: { alice: string; bob: string; bob2: string };
  alice: string;
  bob: string;
  /** Alice's conversation with the first bob. */
  conversationId: string;
  /** The safety number alice verified with the first bob. */
  verifiedDigits: string;
}

/** Alice and bob registered with the CLI client; alice talks to bob and verified his key. */
async function aliceVerifiedBob(t: TestContext): Promise<IdentityChangeSetup> {
  const server = await startServer();
  const stores = { alice: scratchDir('alice'), bob: scratchDir('bob'), bob2: scratchDir('newbob') };
  t.after(async () => {
    await server.stop();
    removeDirs([server.dataDir, ...Object.values(stores)]);
  });
  const alice = nameMarker('alice');
  const bob = nameMarker('bob');
  await registerCli(server, stores.alice, alice, server.adminInvite);
  await registerCli(server, stores.bob, bob);
  const { conversation } = await clientOk(stores.alice, 'open', bob);
  const before = await clientOk(stores.alice, 'safety', bob, '--verify');
  assert.equal(before.verified, true);
  return {
    server,
    stores,
    alice,
    bob,
    conversationId: conversation.id,
    verifiedDigits: before.digits,
  };
}

/** Someone registers `bob` again, in a new store, with a new identity key. */
async function registerNewBob(s: IdentityChangeSetup): Promise<void> {
  await clientOk(
    s.stores.bob2,
    'register',
    '--server',
    s.server.url,
    '--invite',
    await s.server.invite(),
    '--name',
    s.bob,
  );
}

/**
 * Alice is warned wherever she meets bob's new key and nothing goes to it; once she accepts
 * it (after checking with the new bob), it is the pinned, unverified key and works.
 */
async function assertWarnedUntilAccepted(s: IdentityChangeSetup): Promise<void> {
  const { stores, alice, bob } = s;
  const reopened = await client(stores.alice, 'open', bob);
  assert.equal(reopened.code, 1);
  assert.equal(reopened.json.error.code, 'identity_changed');
  const created = await client(stores.alice, 'group', 'create', '--title', 'x', '--members', bob);
  assert.equal(created.json.error.code, 'identity_changed');
  const warned = await clientOk(stores.alice, 'safety', bob);
  assert.equal(warned.changed, true);
  assert.notEqual(warned.digits, s.verifiedDigits);
  assert.equal((await clientOk(stores.alice, 'conversations')).conversations.length, 1);

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
  assert.deepEqual(group.conversation.members, [alice, bob].map(at).sort());
  assert.notEqual(group.conversation.id, s.conversationId);

  await s.server.stop();
  assert.deepEqual(findMarkers([s.server.dataDir, ...Object.values(stores)], [alice, bob]), []);
}

test('aChangedIdentityKeyRaisesTheWarningUntilAccepted', async (t) => {
  const s = await aliceVerifiedBob(t);
  // The server's operator hands the name to someone else: a new account "bob" with a new
  // identity key (the old account is renamed aside, as a compromised server could do).
  const db = openDatabase({ dataDir: s.server.dataDir, create: false });
  db.prepare('UPDATE users SET name = ? WHERE name = ?').run(`${s.bob}-old`, s.bob);
  db.close();
  await registerNewBob(s);
  await assertWarnedUntilAccepted(s);
});

test('aUserRemovedByTheAdminAndRegisteredAgainRaisesTheWarningUntilAccepted', async (t) => {
  const s = await aliceVerifiedBob(t);
  // The legitimate path: bob lost every device; the admin removes the account while the
  // server runs, and bob registers again with a new invite and a new identity key.
  const removed = await adminCommand(s.server, 'user', 'remove', s.bob, '--yes', '--json');
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(JSON.parse(removed.stdout).devices, 1);
  const gone = await client(s.stores.alice, 'safety', s.bob);
  assert.equal(gone.json.error.code, 'not_found');
  const oldBob = await client(s.stores.bob, 'sync');
  assert.equal(oldBob.json.error.code, 'device_revoked', 'the old device is signed out for good');
  await registerNewBob(s);
  // The removal is no reason to trust the new key: it is someone new until checked.
  await assertWarnedUntilAccepted(s);
});
