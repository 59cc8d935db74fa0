import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeServer, registerClient } from '../testing/household.ts';
import { FoyerError } from '../../protocol/errors.ts';

const at = (name: string) => `${name}@maison.example`;

test('two admins banning each other at once: the first commit wins, the same way for all', async () => {
  const server = await fakeServer();
  const [alice, bob, carol, denys] = await Promise.all(
    ['alice', 'bob', 'carol', 'denys'].map((n) => registerClient(server, n)),
  );
  const group = await alice!.engine.createGroup('swarm', ['bob', 'carol', 'denys']);
  await carol!.engine.sync();
  const updates = () => carol!.events.filter((e) => e.type === 'conversation_updated').length;
  const updatesBefore = updates();
  await alice!.engine.govern(group.id, { op: 'promote', person: 'denys' });
  for (const c of [bob!, carol!, denys!]) await c.engine.sync();
  assert.ok(updates() > updatesBefore, 'a role change is reported, though no membership changed');
  assert.deepEqual(
    (await denys!.engine.governance(group.id)).members.map((m) => m.role),
    ['admin', 'member', 'member', 'admin'],
  );

  // Alice's vote reaches the hub first; Denys has not seen it when he votes against her.
  await alice!.engine.govern(group.id, { op: 'vote-ban', person: 'denys' });
  // Alice's commit carried her ban and her client removed Denys's leaves at once: the hub
  // no longer counts his device as a member.
  await assert.rejects(denys!.engine.govern(group.id, { op: 'vote-ban', person: 'alice' }), {
    code: 'not_member',
  });
  await denys!.engine.sync();
  assert.ok(
    denys!.events.some((e) => e.type === 'conversation_removed' && e.reason === 'banned'),
    'Denys sees that he was banned',
  );
  assert.equal((await denys!.engine.conversation(group.id)).status, 'removed');
  const banLine = { t: 'banned', target: at('denys'), voters: [at('alice')] };
  const systemLines = async (c: typeof alice) =>
    (await c!.engine.messages(group.id)).filter((m) => m.system !== undefined).map((m) => m.system);
  assert.deepEqual(await systemLines(denys), [banLine], 'Denys sees who banned him');
  assert.deepEqual(await systemLines(alice), [banLine], 'the voter sees the ban once');

  for (const c of [bob!, carol!]) {
    await c.engine.sync();
    const g = await c.engine.governance(group.id);
    assert.deepEqual(g.bannedIdentities, [at('denys')]);
    assert.deepEqual(g.last?.resolved, [
      { target: at('denys'), kind: 'ban', voters: [at('alice')] },
    ]);
    assert.deepEqual(
      g.members.map((m) => m.address),
      [at('alice'), at('bob'), at('carol')],
      'every leaf of Denys was removed',
    );
    assert.deepEqual(await systemLines(c), [banLine], 'the others see who and by whose votes');
    assert.equal((await c.engine.conversation(group.id)).unread, 0, 'a system line is not news');
    assert.deepEqual((await c.engine.conversation(group.id)).members, [
      at('alice'),
      at('bob'),
      at('carol'),
    ]);
  }
  // Alice is still the admin, and Denys cannot be added back.
  await assert.rejects(alice!.engine.addMembers(group.id, ['denys']), {
    code: 'forbidden_by_policy',
  });
});

test('the profile: only admins edit it; concurrent edits converge in the hub’s order', async () => {
  const server = await fakeServer();
  const [alice, bob, carol] = await Promise.all(
    ['alice', 'bob', 'carol'].map((n) => registerClient(server, n)),
  );
  const group = await alice!.engine.createGroup('home', ['bob', 'carol']);
  await bob!.engine.sync();
  const edit = { title: 'Maison', description: 'chez nous', picture: new Uint8Array([1, 2, 3]) };
  await assert.rejects(bob!.engine.setProfile(group.id, edit), { code: 'forbidden_by_policy' });

  await alice!.engine.setProfile(group.id, edit);
  await alice!.engine.govern(group.id, { op: 'promote', person: 'bob' });
  await bob!.engine.sync();
  await carol!.engine.sync();
  assert.deepEqual((await carol!.engine.conversation(group.id)).profile, {
    title: 'Maison',
    description: 'chez nous',
    picture: 'AQID',
  });

  // Bob edits without having seen Alice's second edit: his commit loses the epoch, is
  // rebased and lands after hers.
  await alice!.engine.setProfile(group.id, { ...edit, title: 'first' });
  await bob!.engine.setProfile(group.id, { ...edit, title: 'second' });
  for (const c of [alice!, bob!, carol!]) {
    await c.engine.sync();
    assert.equal((await c.engine.conversation(group.id)).profile?.title, 'second');
    assert.equal((await c.engine.conversation(group.id)).title, 'second');
  }
  await assert.rejects(
    alice!.engine.setProfile(group.id, { ...edit, picture: new Uint8Array(48 * 1024 + 1) }),
    { code: 'payload_too_large' },
  );
});

test('two one-to-one conversations opened at once converge on one for both people', async () => {
  const server = await fakeServer();
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerClient(server, n)));
  // Neither has seen the other's before opening: two groups exist.
  const a = await alice!.engine.openDirect('bob');
  const b = await bob!.engine.openDirect('alice');
  assert.notEqual(a.id, b.id);
  await alice!.engine.sync();
  await bob!.engine.sync();
  const used = [a.id, b.id].sort()[0]!;
  assert.equal((await alice!.engine.openDirect('bob')).id, used);
  assert.equal((await bob!.engine.openDirect('alice')).id, used);
  for (const c of [alice!, bob!]) {
    const views = await c.engine.conversations();
    const other = views.find((v) => v.id !== used)!;
    assert.equal(other.mergedInto, used, 'the duplicate names the one in use');
    assert.equal(views.find((v) => v.id === used)!.mergedInto, undefined);
  }
  await bob!.engine.send(used, 'one conversation');
  await alice!.engine.sync();
  assert.equal((await alice!.engine.messages(used)).at(-1)?.text, 'one conversation');
});

test('the members of an unknown conversation: not_found, naming no group state', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  await assert.rejects(alice.engine.governance('nope'), (err: unknown) => {
    assert.ok(err instanceof FoyerError);
    assert.equal(err.code, 'not_found');
    assert.equal(err.message, 'no such conversation');
    return true;
  });
});
