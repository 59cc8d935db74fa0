import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from './hub.ts';
import { Mailboxes } from '../mailbox/mailbox.ts';
import { Writer } from '../writer.ts';
import { memoryDb } from '../testing/memoryDb.ts';
import { makeTestHousehold, type TestIdentity } from '../../shared/mls/testing.ts';
import { createKeyPackage } from '../../shared/mls/keyPackages.ts';
import { addMembers, createGroup, encryptMessage, selfUpdate } from '../../shared/mls/group.ts';
import { randomBytes, utf8 } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Caller } from '../accounts/accounts.ts';

/** A hub over an in-memory database holding the household's devices. */
async function setup(names: string[]) {
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
  const hub = new Hub(db, writer, mailboxes, h.instance.domain);
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

  // Both members commit against epoch 1 (their state is the creator's, epoch for epoch).
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
