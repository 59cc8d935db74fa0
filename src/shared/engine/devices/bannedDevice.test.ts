/**
 * Device bans: a device banned from a group stays out (its owner's other devices, which add
 * the user's live devices to every conversation at each sync, leave it out there, without
 * claiming its key packages or reporting a failure), and the last admin cannot ban their own
 * only device.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { MemoryStorage } from '../store/storage.ts';
import { FAST_KDF, fakeServer, registerClient } from '../testing/household.ts';

test('a banned device is not added back by its owner’s reconcile of own devices', async () => {
  const server = await fakeServer();
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerClient(server, n)));
  const group = await alice!.engine.createGroup('home', ['bob']);
  const other = await alice!.engine.createGroup('garden', ['bob']);
  await bob!.engine.sync();
  let approval: Promise<unknown> | undefined;
  const laptop = await Engine.link(
    new MemoryStorage(),
    'pw',
    'http://fake.invalid',
    (code) => {
      approval = bob!.engine.approveLink(code, 0);
    },
    { kdf: FAST_KDF, transport: () => server.transport() },
  );
  await approval;
  const laptopId = laptop.whoami().deviceId;
  // The phone adds the laptop to both conversations once it has key packages.
  await bob!.engine.sync();
  await laptop.sync();
  await alice!.engine.sync();
  assert.equal((await laptop.conversation(other.id)).status, 'active');
  assert.equal((await alice!.engine.governance(group.id)).members[1]?.devices.length, 2);

  // The lone admin cannot ban her own only device: the group would be left without one.
  const aliceDevice = alice!.engine.whoami().deviceId;
  await assert.rejects(
    alice!.engine.govern(group.id, { op: 'vote-ban', person: 'alice', deviceId: aliceDevice }),
    (err: unknown) => {
      assert.ok(err instanceof FoyerError && err.code === 'forbidden_by_policy');
      assert.equal(err.details?.['rule'], 'last_admin');
      return true;
    },
  );
  await alice!.engine.govern(group.id, { op: 'vote-ban', person: 'bob', deviceId: laptopId });
  await laptop.sync();
  assert.equal((await laptop.conversation(group.id)).status, 'removed', 'the laptop is out');
  assert.deepEqual((await alice!.engine.governance(group.id)).bannedDevices, [
    `bob@maison.example/${laptopId}`,
  ]);

  // Bob's phone syncs: the laptop is live, missing from "home", and banned there.
  const packages = server.devices.get(laptopId)!.keyPackages.length;
  const r = await bob!.engine.sync();
  assert.deepEqual(r.failures, [], 'no failure reported');
  assert.equal(server.devices.get(laptopId)!.keyPackages.length, packages, 'none claimed');
  const home = await bob!.engine.governance(group.id);
  assert.deepEqual(home.members.find((m) => m.address === 'bob@maison.example')?.devices, [
    bob!.engine.whoami().deviceId,
  ]);
  // The ban is per conversation: the laptop stays in "garden".
  assert.equal((await laptop.conversation(other.id)).status, 'active');
  await laptop.close();
});
