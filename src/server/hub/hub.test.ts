import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, MAX_GROUPS_PER_USER } from './hub.ts';
import { Mailboxes } from '../mailbox/mailbox.ts';
import { Writer } from '../writer.ts';
import { DeliveryRouter, type RemoteRoute } from '../delivery/router.ts';
import { FederationStore } from '../federation/store.ts';
import { FederationRoute } from '../federation/route.ts';
import { Peers } from '../federation/peers.ts';
import type { Db } from '../storage/sqlite.ts';
import { Accounts } from '../accounts/accounts.ts';
import { accountStores } from '../accounts/store/index.ts';
import { Revocations } from '../accounts/revocations.ts';
import { loadConfig } from '../config.ts';
import { memoryDb } from '../testing/memoryDb.ts';
import {
  makeTestHousehold,
  makeTestIdentity,
  makeTestInstance,
  memoryTrustStore,
  type TestIdentity,
} from '../../shared/mls/testing.ts';
import { createKeyPackage } from '../../shared/mls/keyPackages.ts';
import {
  addMembers,
  createGroup,
  encryptMessage,
  groupInfoOf,
  removeMembers,
  selfUpdate,
  type Group,
} from '../../shared/mls/group.ts';
import { decodeMlsAs, encodeMls } from '../../shared/mls/codec.ts';
import { randomBytes, utf8 } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Caller } from '../accounts/accounts.ts';

/** A hub over an in-memory database holding the household's devices. */
async function setup(names: string[], remote?: (db: Db, writer: Writer) => RemoteRoute) {
  const h = await makeTestHousehold(names);
  const db = memoryDb();
  h.devices.forEach((d, i) => {
    db.prepare('INSERT INTO users (id, name, identity_key, created_at) VALUES (?, ?, ?, 0)').run(
      i + 1,
      d.user,
      d.identity.publicKey,
    );
    db.prepare(
      'INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES (?, ?, ?, ?, 0)',
    ).run(d.deviceId, i + 1, d.device.publicKey, d.credential);
  });
  const mailboxes = new Mailboxes(db, { ttlMs: 60_000, quota: 100 });
  const writer = new Writer(db, {
    afterCommit: () => mailboxes.publishBatch(),
    onAbort: () => assert.fail('batch aborted'),
  });
  const revocations = new Revocations(db);
  const router = new DeliveryRouter({
    domain: h.instance.domain,
    mailboxes,
    revoked: revocations,
    ...(remote === undefined ? {} : { remote: remote(db, writer) }),
  });
  const config = loadConfig({ argv: ['--domain', h.instance.domain], env: {}, cwd: '/' });
  const accounts = new Accounts(accountStores(db), writer, config, {
    publicKey: new Uint8Array(32),
    sign: () => assert.fail('the hub signs nothing'),
  });
  const hub = new Hub(db, writer, router, accounts, revocations);
  const caller = (d: TestIdentity, i: number): Caller => ({
    deviceId: d.deviceId,
    userId: i + 1,
    userName: d.user,
  });
  return { h, db, hub, mailboxes, caller };
}

const id = (): string => Buffer.from(randomBytes(16)).toString('base64url');

test('two commits for one epoch in the same write batch: the first wins, the second is wrong_epoch', async () => {
  const { h, hub, mailboxes, caller } = await setup(['alice', 'bob', 'carol']);
  const [alice, bob, carol] = h.devices as [TestIdentity, TestIdentity, TestIdentity];
  const deps = { trust: h.trust };
  const groupId = randomBytes(16);
  await hub.create(caller(alice, 0), groupId, undefined);
  const g0 = await createGroup(groupId, alice.me, deps);
  const kps = [
    (await createKeyPackage(bob.me, h.trust)).publicPackage,
    (await createKeyPackage(carol.me, h.trust)).publicPackage,
  ];
  const add = await addMembers(g0, kps, deps);
  const r = await hub.submit(caller(alice, 0), groupId, {
    id: id(),
    message: add.commit,
    welcome: add.welcome,
    groupInfo: undefined,
  });
  assert.equal(r.epoch, 1);
  assert.deepEqual(
    hub.status(caller(bob, 1), groupId).members.map((m) => m.user),
    ['alice', 'bob', 'carol'],
  );
  assert.equal(mailboxes.page(bob.deviceId, 0, 10).items[0]?.kind, 'welcome');

  // Alice's device makes two self-updates from the same epoch-1 state (as after a crash
  // and a retry with fresh keys); both reach the hub in one write batch.
  const first = await selfUpdate(add.group, deps);
  const second = await selfUpdate(add.group, deps);
  const [a, b] = await Promise.allSettled([
    hub.submit(caller(alice, 0), groupId, {
      id: id(),
      message: first.commit,
      welcome: undefined,
      groupInfo: undefined,
    }),
    hub.submit(caller(alice, 0), groupId, {
      id: id(),
      message: second.commit,
      welcome: undefined,
      groupInfo: undefined,
    }),
  ]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  const err = (b as PromiseRejectedResult).reason as FoyerError;
  assert.equal(err.code, 'wrong_epoch');
  assert.deepEqual(err.details, { epoch: 2 });
  assert.equal(hub.status(caller(alice, 0), groupId).epoch, 2);
});

test('application messages reach every member device but the sender; a retry is a duplicate', async () => {
  const { h, hub, mailboxes, caller } = await setup(['alice', 'bob']);
  const [alice, bob] = h.devices as [TestIdentity, TestIdentity];
  const deps = { trust: h.trust };
  const groupId = randomBytes(16);
  await hub.create(caller(alice, 0), groupId, undefined);
  const add = await addMembers(
    await createGroup(groupId, alice.me, deps),
    [(await createKeyPackage(bob.me, h.trust)).publicPackage],
    deps,
  );
  await hub.submit(caller(alice, 0), groupId, {
    id: id(),
    message: add.commit,
    welcome: add.welcome,
    groupInfo: undefined,
  });
  const msg = await encryptMessage(add.group, utf8('hello'), deps);
  const s = { id: id(), message: msg.message, welcome: undefined, groupInfo: undefined };
  assert.deepEqual(await hub.submit(caller(alice, 0), groupId, s), { epoch: 1, duplicate: false });
  assert.deepEqual(await hub.submit(caller(alice, 0), groupId, s), { epoch: 1, duplicate: true });
  assert.deepEqual(
    mailboxes.page(bob.deviceId, 0, 10).items.map((i) => i.kind),
    ['welcome', 'message'],
  );
  assert.deepEqual(mailboxes.page(alice.deviceId, 0, 10).items, []);
});

test('a device outside the group cannot submit', async () => {
  const { h, hub, caller } = await setup(['alice', 'mallory']);
  const [alice, mallory] = h.devices as [TestIdentity, TestIdentity];
  const groupId = randomBytes(16);
  await hub.create(caller(alice, 0), groupId, undefined);
  const g = await createGroup(groupId, alice.me, { trust: h.trust });
  const msg = await encryptMessage(g, utf8('x'), { trust: h.trust });
  await assert.rejects(
    hub.submit(caller(mallory, 1), groupId, {
      id: id(),
      message: msg.message,
      welcome: undefined,
      groupInfo: undefined,
    }),
    (e: unknown) => e instanceof FoyerError && e.code === 'not_member',
  );
});

/** Alice creates a group and adds Bob and Carol: the hub and every client are at epoch 1. */
async function threeMembers(others: string[] = []) {
  const s = await setup(['alice', 'bob', 'carol', ...others]);
  const [alice, bob, carol] = s.h.devices as [TestIdentity, TestIdentity, TestIdentity];
  const deps = { trust: s.h.trust };
  const groupId = randomBytes(16);
  await s.hub.create(s.caller(alice, 0), groupId, undefined);
  const add = await addMembers(
    await createGroup(groupId, alice.me, deps),
    [
      (await createKeyPackage(bob.me, s.h.trust)).publicPackage,
      (await createKeyPackage(carol.me, s.h.trust)).publicPackage,
    ],
    deps,
  );
  await s.hub.submit(s.caller(alice, 0), groupId, {
    id: id(),
    message: add.commit,
    welcome: add.welcome,
    groupInfo: undefined,
  });
  const submit = (who: TestIdentity, i: number, message: Uint8Array) =>
    s.hub.submit(s.caller(who, i), groupId, {
      id: id(),
      message,
      welcome: undefined,
      groupInfo: undefined,
    });
  return { ...s, alice, bob, carol, deps, groupId, aliceGroup: add.group as Group, submit };
}

const refusedWith = (code: string) => (e: unknown) => e instanceof FoyerError && e.code === code;

test("a member cannot submit another member's commit as its own", async () => {
  const { hub, alice, bob, aliceGroup, deps, groupId, caller, mailboxes, submit } =
    await threeMembers();
  // Bob got hold of a commit Alice made (sender leaf 0) and submits it from his device.
  const update = await selfUpdate(aliceGroup, deps);
  await assert.rejects(submit(bob, 1, update.commit), refusedWith('forbidden'));
  assert.equal(hub.status(caller(alice, 0), groupId).epoch, 1);
  assert.deepEqual(
    mailboxes.page(alice.deviceId, 0, 10).items.map((i) => i.kind),
    [],
    'nothing was fanned out',
  );
  // From Alice's own device the same commit is accepted.
  assert.equal((await submit(alice, 0, update.commit)).epoch, 2);
});

test('an application message from a future epoch is refused with wrong_epoch', async () => {
  const { hub, alice, carol, aliceGroup, deps, groupId, caller, mailboxes, submit } =
    await threeMembers();
  // Alice moved to epoch 2 locally, but the hub never accepted that commit.
  const ahead = await selfUpdate(aliceGroup, deps);
  const msg = await encryptMessage(ahead.group, utf8('too early'), deps);
  await assert.rejects(submit(alice, 0, msg.message), (e: unknown) => {
    assert.ok(e instanceof FoyerError && e.code === 'wrong_epoch', String(e));
    assert.deepEqual(e.details, { epoch: 1 });
    return true;
  });
  const carolItems = mailboxes.page(carol.deviceId, 0, 10).items;
  assert.deepEqual(
    carolItems.map((i) => i.kind),
    ['welcome'],
    'the message was not delivered',
  );
  assert.equal(hub.status(caller(alice, 0), groupId).epoch, 1);
});

test('a commit that removes its own sender is refused and changes nothing', async () => {
  const { hub, alice, carol, aliceGroup, deps, groupId, caller, mailboxes, submit } =
    await threeMembers();
  // Clients refuse to build such a commit (RFC 9420 forbids it), so a hostile one edits a
  // valid commit: the hub reads the proposals without verifying signatures.
  const removeBob = await removeMembers(aliceGroup, [1], deps);
  const decoded = decodeMlsAs(removeBob.commit, 'mls_public_message', 'commit', 'bad_request');
  const content = decoded.publicMessage.content;
  assert.ok(content.contentType === 'commit');
  const proposal = content.commit.proposals[0];
  assert.ok(proposal?.proposalOrRefType === 'proposal');
  assert.ok(proposal.proposal.proposalType === 'remove');
  proposal.proposal.remove.removed = 0; // Alice's own leaf
  await assert.rejects(submit(alice, 0, encodeMls(decoded)), refusedWith('bad_request'));
  const status = hub.status(caller(alice, 0), groupId);
  assert.equal(status.epoch, 1);
  assert.deepEqual(
    status.members.map((m) => m.user),
    ['alice', 'bob', 'carol'],
  );
  assert.deepEqual(
    mailboxes.page(carol.deviceId, 0, 10).items.map((i) => i.kind),
    ['welcome'],
  );
});

test('adding a device of another instance is refused with federation_unavailable', async () => {
  const { h, hub, alice, carol, aliceGroup, deps, groupId, caller, mailboxes, submit } =
    await threeMembers();
  const elsewhere = await makeTestInstance('chez-bob.example');
  const remoteBob = await makeTestIdentity({
    user: 'bob',
    domain: elsewhere.domain,
    instanceKey: elsewhere.key,
  });
  // Alice's client trusts both instances: only the hub stands in the way.
  const trust = memoryTrustStore(
    { domain: h.instance.domain, publicKey: h.instance.key.publicKey },
    { domain: elsewhere.domain, publicKey: elsewhere.key.publicKey },
  );
  const kp = (await createKeyPackage(remoteBob.me, trust)).publicPackage;
  const add = await addMembers(aliceGroup, [kp], { trust });
  await assert.rejects(
    hub.submit(caller(alice, 0), groupId, {
      id: id(),
      message: add.commit,
      welcome: add.welcome,
      groupInfo: undefined,
    }),
    (e: unknown) => {
      assert.ok(e instanceof FoyerError && e.code === 'federation_unavailable', String(e));
      assert.deepEqual(e.details, { domain: 'chez-bob.example' });
      return true;
    },
  );
  assert.equal(hub.status(caller(alice, 0), groupId).members.length, 3);
  assert.deepEqual(
    mailboxes.page(carol.deviceId, 0, 10).items.map((i) => i.kind),
    ['welcome'],
  );
  // The group goes on: Alice's next local commit is accepted.
  assert.equal((await submit(alice, 0, (await selfUpdate(aliceGroup, deps)).commit)).epoch, 2);
});

test('a key package that names another user for a local device is refused', async () => {
  const { h, hub, alice, aliceGroup, deps, groupId, caller } = await threeMembers(['dave']);
  const dave = h.devices[3]!;
  // A credential with Dave's device id but another user's name (what a hostile client or a
  // stolen instance key could make): the hub knows whose device it is.
  const forged = await makeTestIdentity({
    user: 'mallory',
    domain: h.instance.domain,
    instanceKey: h.instance.key,
    deviceId: dave.deviceId,
  });
  const kp = (await createKeyPackage(forged.me, h.trust)).publicPackage;
  const add = await addMembers(aliceGroup, [kp], deps);
  await assert.rejects(
    hub.submit(caller(alice, 0), groupId, {
      id: id(),
      message: add.commit,
      welcome: add.welcome,
      groupInfo: undefined,
    }),
    refusedWith('forbidden'),
  );
  assert.equal(hub.status(caller(alice, 0), groupId).members.length, 3);
  // Dave's real package is accepted, under his own name.
  const real = (await createKeyPackage(dave.me, h.trust)).publicPackage;
  const ok = await addMembers(aliceGroup, [real], deps);
  await hub.submit(caller(alice, 0), groupId, {
    id: id(),
    message: ok.commit,
    welcome: ok.welcome,
    groupInfo: undefined,
  });
  assert.deepEqual(
    hub.status(caller(alice, 0), groupId).members.map((m) => `${m.user}@${m.domain}`),
    ['alice', 'bob', 'carol', 'dave'].map((u) => `${u}@maison.example`),
  );
});

test("a key package with a local device's id and user but keys the instance never issued is refused", async () => {
  const { h, hub, alice, aliceGroup, deps, groupId, caller } = await threeMembers(['dave']);
  const dave = h.devices[3]!;
  // Right user, right device id, valid signatures, but not the credential this instance
  // issued to that device (other keys): a ghost device in Dave's name.
  const ghost = await makeTestIdentity({
    user: dave.user,
    domain: h.instance.domain,
    instanceKey: h.instance.key,
    deviceId: dave.deviceId,
  });
  const kp = (await createKeyPackage(ghost.me, h.trust)).publicPackage;
  const add = await addMembers(aliceGroup, [kp], deps);
  await assert.rejects(
    hub.submit(caller(alice, 0), groupId, {
      id: id(),
      message: add.commit,
      welcome: add.welcome,
      groupInfo: undefined,
    }),
    refusedWith('forbidden'),
  );
  assert.equal(hub.status(caller(alice, 0), groupId).members.length, 3);
});

test('a user may be in at most MAX_GROUPS_PER_USER groups; others can still create theirs', async () => {
  const { h, hub, caller } = await setup(['alice', 'bob']);
  const [alice, bob] = h.devices as [TestIdentity, TestIdentity];
  await Promise.all(
    Array.from({ length: MAX_GROUPS_PER_USER }, () =>
      hub.create(caller(alice, 0), randomBytes(16), undefined),
    ),
  );
  await assert.rejects(
    hub.create(caller(alice, 0), randomBytes(16), undefined),
    refusedWith('limit_reached'),
  );
  assert.equal((await hub.create(caller(bob, 1), randomBytes(16), undefined)).epoch, 0);
});

test('each other instance is told its own member devices with each item; a held message is not fanned back to its origin', async () => {
  const federation = (db: Db, writer: Writer): RemoteRoute => {
    const store = new FederationStore(db);
    const peers = new Peers({ store, writer, map: {} });
    return new FederationRoute({ store, peers, writer, maxQueued: 1000, kick: () => undefined });
  };
  const { h, db, hub, mailboxes, caller } = await setup(['alice'], federation);
  const alice = h.devices[0]!;
  const bobs = await makeTestInstance('chez-bob.example');
  const far = await makeTestInstance('loin.example');
  const identity = (user: string, at: typeof bobs) =>
    makeTestIdentity({ user, domain: at.domain, instanceKey: at.key });
  const [bob1, bob2, carol] = [
    await identity('bob', bobs),
    await identity('bea', bobs),
    await identity('carol', far),
  ];
  const trust = memoryTrustStore(
    { domain: h.instance.domain, publicKey: h.instance.key.publicKey },
    { domain: bobs.domain, publicKey: bobs.key.publicKey },
    { domain: far.domain, publicKey: far.key.publicKey },
  );
  const groupId = randomBytes(16);
  await hub.create(caller(alice, 0), groupId, undefined);
  const kps = [];
  for (const d of [bob1, bob2, carol])
    kps.push((await createKeyPackage(d.me, trust)).publicPackage);
  const add = await addMembers(await createGroup(groupId, alice.me, { trust }), kps, { trust });
  await hub.submit(caller(alice, 0), groupId, {
    id: id(),
    message: add.commit,
    welcome: add.welcome,
    groupInfo: await groupInfoOf(add.group),
  });
  // Asked by an instance for its devices' sake, the GroupInfo comes with that instance's own
  // member devices only.
  assert.deepEqual(hub.groupInfoForPeer(bobs.domain, groupId).devices, [
    bob1.deviceId,
    bob2.deviceId,
  ]);
  assert.deepEqual(hub.groupInfoForPeer(far.domain, groupId).devices, [carol.deviceId]);
  const queued = () =>
    db
      .prepare<[], { domain: string; kind: string; msg_id: string; members: string | null }>(
        'SELECT domain, kind, msg_id, members FROM federation_outbox ORDER BY seq',
      )
      .all()
      .map((r) => ({ ...r, members: JSON.parse(r.members ?? 'null') as string[] | null }));
  // The Welcomes: each instance learns its own member devices, nothing of the others'.
  assert.deepEqual(
    queued().map((r) => [r.domain, r.kind, r.members]),
    [
      ['chez-bob.example', 'welcome', [bob1.deviceId, bob2.deviceId]],
      ['loin.example', 'welcome', [carol.deviceId]],
    ],
  );
  const message = async () => ({
    id: id(),
    message: (await encryptMessage(add.group, utf8('x'), { trust })).message,
    welcome: undefined,
    groupInfo: undefined,
  });
  const bob1At = { user: 'bob', domain: bobs.domain, deviceId: bob1.deviceId };
  // Forwarded as usual: both other instances get it.
  const plain = await message();
  await hub.submitFrom(bob1At, groupId, plain);
  assert.deepEqual(
    queued()
      .filter((r) => r.msg_id === plain.id)
      .map((r) => [r.domain, r.members]),
    [
      ['chez-bob.example', [bob1.deviceId, bob2.deviceId]],
      ['loin.example', [carol.deviceId]],
    ],
  );
  // Held at chez-bob during a partition: chez-bob placed it already, so only loin gets it.
  const held = await message();
  await hub.submitFrom(bob1At, groupId, held, true);
  assert.deepEqual(
    queued()
      .filter((r) => r.msg_id === held.id)
      .map((r) => r.domain),
    ['loin.example'],
  );
  assert.ok(mailboxes.page(alice.deviceId, 0, 10).items.some((i) => i.id === held.id));
  // Only an application message of another instance's device can be held.
  await assert.rejects(
    hub.submitFrom(
      bob1At,
      groupId,
      { ...(await message()), message: (await selfUpdate(add.group, { trust })).commit },
      true,
    ),
    refusedWith('bad_request'),
  );
});
