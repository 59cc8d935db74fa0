import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeServer, registerClient } from '../testing/household.ts';

test('a member who leaves is removed by the first other member to see it', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');
  const carol = await registerClient(server, 'carol');
  const group = await alice.engine.createGroup('trip', ['bob', 'carol']);
  await bob.engine.sync();
  await carol.engine.sync();

  await alice.engine.send(group.id, 'before carol leaves');
  await carol.engine.sync();
  await carol.engine.leave(group.id);
  const left = await carol.engine.conversations();
  assert.deepEqual(
    left.map((c) => [c.id, c.status]),
    [[group.id, 'left']],
    'the leaver keeps it, marked left',
  );
  assert.deepEqual(
    (await carol.engine.messages(group.id)).map((m) => m.text),
    ['before carol leaves'],
    'its history stays readable',
  );
  await assert.rejects(carol.engine.send(group.id, 'too late'), { code: 'not_member' });
  assert.ok(carol.events.some((e) => e.type === 'conversation_removed' && e.reason === 'left'));

  const before = await alice.engine.epoch(group.id);
  await alice.engine.sync(); // sees the leave, commits the removal
  await bob.engine.sync(); // sees the removal; has nothing left to do
  assert.deepEqual((await alice.engine.conversation(group.id)).members, [
    'alice@maison.example',
    'bob@maison.example',
  ]);
  assert.deepEqual((await bob.engine.conversation(group.id)).members, [
    'alice@maison.example',
    'bob@maison.example',
  ]);
  // The leaver's own commit records the leave in the group policy, then one removal.
  assert.equal(await alice.engine.epoch(group.id), before + 2);
  assert.equal(await bob.engine.epoch(group.id), before + 2);
  assert.equal(
    server.submissions.filter((s) => s.kind === 'commit').length,
    3, // the creation's add, the leave, then one removal
  );
});

test('a commit whose reply was lost is settled on the next sync, not left behind', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');
  await registerClient(server, 'carol');
  const group = await alice.engine.createGroup('g', ['bob', 'carol']);
  await bob.engine.sync();
  const epoch = await alice.engine.epoch(group.id);
  server.loseRepliesAfterAccept = 1;
  await assert.rejects(alice.engine.removeMembers(group.id, ['carol']), { code: 'network' });
  // The hub took it; alice still holds the old state plus the pending commit.
  assert.equal(await alice.engine.epoch(group.id), epoch);
  await alice.engine.sync();
  assert.equal(await alice.engine.epoch(group.id), epoch + 1);
  await alice.engine.send(group.id, 'still in step');
  await bob.engine.sync();
  assert.deepEqual(
    (await bob.engine.messages(group.id)).map((m) => m.text),
    ['still in step'],
  );
  assert.deepEqual((await bob.engine.conversation(group.id)).members, [
    'alice@maison.example',
    'bob@maison.example',
  ]);
});

test('a device self-updates after the configured number of messages', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice', { tuning: { selfUpdateAfterMessages: 3 } });
  const bob = await registerClient(server, 'bob');
  const conv = await alice.engine.openDirect('bob');
  const epoch = await alice.engine.epoch(conv.id);
  for (const text of ['a', 'b']) await alice.engine.send(conv.id, text);
  assert.equal((await alice.engine.sync()).selfUpdates, 0);
  await alice.engine.send(conv.id, 'c');
  assert.equal((await alice.engine.sync()).selfUpdates, 1);
  assert.equal(await alice.engine.epoch(conv.id), epoch + 1);
  assert.equal((await alice.engine.sync()).selfUpdates, 0, 'the counter restarted');
  await bob.engine.sync();
  assert.equal(await bob.engine.epoch(conv.id), epoch + 1);
  assert.deepEqual(
    (await bob.engine.messages(conv.id)).map((m) => m.text),
    ['a', 'b', 'c'],
  );
});

test('a device self-updates once the configured time passed', async () => {
  let now = 1_700_000_000_000;
  const clock = { now: () => now, sleep: () => Promise.resolve() };
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice', {
    clock,
    tuning: { selfUpdateAfterMs: 1000 },
  });
  await registerClient(server, 'bob');
  const conv = await alice.engine.openDirect('bob');
  assert.equal((await alice.engine.sync()).selfUpdates, 0);
  now += 1000;
  assert.equal((await alice.engine.sync()).selfUpdates, 1);
  assert.equal((await alice.engine.conversation(conv.id)).status, 'active');
});

test('adding people checks names, and refuses to add to a direct conversation', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  await registerClient(server, 'bob');
  await assert.rejects(alice.engine.createGroup('x', ['Not A Name!']), { code: 'invalid_name' });
  await assert.rejects(alice.engine.openDirect('nobody'), { code: 'not_found' });
  const conv = await alice.engine.openDirect('bob');
  await assert.rejects(alice.engine.addMembers(conv.id, ['carol']), { code: 'usage' });
  await assert.rejects(alice.engine.removeMembers(conv.id, ['alice']), { code: 'usage' });
});

test('a removed member no longer lists herself, and her sync says what failed and why', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');
  const carol = await registerClient(server, 'carol');
  const group = await alice.engine.createGroup('club', ['bob', 'carol']);
  await bob.engine.sync();
  await carol.engine.sync();

  // Carol writes while her server is unreachable: the message waits in her outbox.
  server.down = true;
  const waiting = await carol.engine.send(group.id, 'am I still in?');
  assert.equal(waiting.state, 'pending');
  server.down = false;
  await alice.engine.removeMembers(group.id, ['carol']);

  const r = await carol.engine.sync();
  assert.equal(r.failed, 1);
  assert.deepEqual(r.failures, [
    { conversationId: group.id, messageId: waiting.id, reason: 'removed from the conversation' },
  ]);
  assert.deepEqual(r.removedFrom, [group.id]);
  const seen = await carol.engine.conversation(group.id);
  assert.equal(seen.status, 'removed');
  assert.deepEqual(seen.members, ['alice@maison.example', 'bob@maison.example']);
  assert.equal((await carol.engine.message(group.id, waiting.id)).state, 'failed');
});

test('people are addresses: a bare name is local, a full local address is the same person', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  await registerClient(server, 'bob');
  const direct = await alice.engine.openDirect('Bob@Maison.Example');
  assert.equal(direct.peer, 'bob@maison.example');
  assert.equal((await alice.engine.openDirect('bob')).id, direct.id);
  await assert.rejects(alice.engine.openDirect('alice@maison.example'), { code: 'usage' });
  await assert.rejects(alice.engine.openDirect('bob@'), { code: 'invalid_name' });
});

test('a person of another instance is never taken for a local namesake', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  await registerClient(server, 'bob');
  server.lookups.length = 0;
  // This server does not federate: it refuses the address, and the engine says why.
  await assert.rejects(alice.engine.openDirect('bob@chez-bob.example'), {
    code: 'federation_unavailable',
  });
  assert.deepEqual(server.lookups, ['bob@chez-bob.example']);
  const group = await alice.engine.createGroup('g', ['bob']);
  await assert.rejects(alice.engine.addMembers(group.id, ['bob@chez-bob.example']), {
    code: 'federation_unavailable',
  });
  assert.deepEqual((await alice.engine.conversation(group.id)).members, [
    'alice@maison.example',
    'bob@maison.example',
  ]);
  assert.equal((await alice.engine.conversations()).filter((c) => c.kind === 'direct').length, 0);
});
