import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeServer, registerClient, type TestClient } from '../testing/household.ts';
import { addMembers, createGroup, type Group } from '../../mls/group.ts';
import { createKeyPackage } from '../../mls/keyPackages.ts';
import { makeTestHousehold, type TestIdentity } from '../../mls/testing.ts';
import { utf8 } from '../../protocol/bytes.ts';
import type { ConversationRecord } from '../store/model.ts';
import { governanceOf } from './governance.ts';
import { keepPresent, markHeard } from './presence.ts';

const at = (name: string) => `${name}@maison.example`;

async function states(c: TestClient, id: string): Promise<Record<string, string>> {
  const g = await c.engine.governance(id);
  return Object.fromEntries(g.members.map((m) => [m.address, m.state]));
}

test('an added person is invited until one of their devices is heard from', async () => {
  const server = await fakeServer();
  const [alice, bob, carol] = await Promise.all(
    ['alice', 'bob', 'carol'].map((n) => registerClient(server, n)),
  );
  const group = await alice!.engine.createGroup('home', ['bob', 'carol']);
  assert.deepEqual(await states(alice!, group.id), {
    [at('alice')]: 'active',
    [at('bob')]: 'invited',
    [at('carol')]: 'invited',
  });
  // Bob's device processes its Welcome and says so; Carol's has not yet.
  await bob!.engine.sync();
  const updates = () =>
    alice!.events.filter((e) => e.type === 'conversation_updated' && e.conversation.id === group.id)
      .length;
  const updatesBefore = updates();
  await alice!.engine.sync();
  assert.equal(updates(), updatesBefore + 1, 'the members screen is told to reload');
  assert.deepEqual(await states(alice!, group.id), {
    [at('alice')]: 'active',
    [at('bob')]: 'active',
    [at('carol')]: 'invited',
  });
  const bobView = (await alice!.engine.governance(group.id)).members.find(
    (m) => m.address === at('bob'),
  );
  assert.deepEqual(bobView?.invitedDevices, []);
  // Bob cannot tell who joined before him: the members present at his join count as active.
  assert.deepEqual(await states(bob!, group.id), {
    [at('alice')]: 'active',
    [at('bob')]: 'active',
    [at('carol')]: 'active',
  });

  await carol!.engine.sync();
  await alice!.engine.sync();
  assert.equal((await states(alice!, group.id))[at('carol')], 'active');

  // Removed and added back: invited again until heard from.
  await alice!.engine.removeMembers(group.id, ['carol']);
  await carol!.engine.sync();
  await alice!.engine.addMembers(group.id, ['carol']);
  assert.equal((await states(alice!, group.id))[at('carol')], 'invited');
  await carol!.engine.sync();
  await alice!.engine.sync();
  assert.equal((await states(alice!, group.id))[at('carol')], 'active');
});

test('joining a conversation hidden by a block announces nothing', async () => {
  const server = await fakeServer();
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerClient(server, n)));
  await bob!.engine.block('alice');
  const group = await alice!.engine.createGroup('hello', ['bob']);
  await bob!.engine.sync();
  assert.ok(
    !bob!.events.some((e) => e.type === 'conversation_added'),
    'the conversation stays hidden from Bob',
  );
  await alice!.engine.sync();
  assert.equal(
    (await states(alice!, group.id))[at('bob')],
    'invited',
    'Alice learns nothing of Bob’s join',
  );
  // Unblocked, the conversation shows, and Bob's device tells of its join then.
  await bob!.engine.unblock('alice');
  await alice!.engine.sync();
  assert.equal((await states(alice!, group.id))[at('bob')], 'active');
});

test('a record stored before the tracking shows its members active, and tracks later adds', async () => {
  const h = await makeTestHousehold(['alice', 'bob', 'carol']);
  const deps = { trust: h.trust };
  const [a, b, c] = h.devices as [TestIdentity, TestIdentity, TestIdentity];
  const created = await createGroup(utf8('older'), a.me, deps);
  const withBob = (await addMembers(created, [(await kp(b)).publicPackage], deps)).group;
  const withCarol = (await addMembers(withBob, [(await kp(c)).publicPackage], deps)).group;
  const legacy = { heard: undefined } as ConversationRecord;
  const view = (g: Group) =>
    Object.fromEntries(
      governanceOf(g, { heard: legacy.heard, me: at('alice') }).members.map((m) => [
        m.address,
        m.state,
      ]),
    );
  assert.deepEqual(view(withBob), { [at('alice')]: 'active', [at('bob')]: 'active' });
  // The first commit processed under the tracking starts it from the state before it.
  keepPresent(legacy, withBob, withCarol);
  assert.deepEqual(view(withCarol), {
    [at('alice')]: 'active',
    [at('bob')]: 'active',
    [at('carol')]: 'invited',
  });
  assert.deepEqual(markHeard(legacy, withCarol, c.decoded), { changed: true, joined: true });
  assert.equal(view(withCarol)[at('carol')], 'active');

  async function kp(x: TestIdentity) {
    return createKeyPackage(x.me, h.trust);
  }
});
