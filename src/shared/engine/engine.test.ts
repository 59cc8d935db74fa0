import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from './engine.ts';
import { MemoryStorage } from './store/storage.ts';
import { FAST_KDF, fakeServer, registerClient, reopen } from './testing/household.ts';

test('alice and bob talk one to one; delivery and read states travel back', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');

  const conv = await alice.engine.openDirect('bob');
  assert.equal(conv.kind, 'direct');
  assert.deepEqual(conv.members, ['alice@maison.example', 'bob@maison.example']);
  assert.equal((await alice.engine.openDirect('bob')).id, conv.id, 'openDirect reuses');

  const sent = await alice.engine.send(conv.id, 'hello bob');
  assert.equal(sent.state, 'sent');

  await bob.engine.sync();
  const [bobConv] = await bob.engine.conversations();
  assert.equal(bobConv?.id, conv.id);
  assert.equal(bobConv?.kind, 'direct');
  assert.equal(bobConv?.peer, 'alice@maison.example');
  const got = await bob.engine.messages(conv.id);
  assert.deepEqual(
    got.map((m) => [m.sender, m.text, m.state]),
    [['alice@maison.example', 'hello bob', 'received']],
  );
  assert.equal(got[0]?.id, sent.id);

  await alice.engine.sync();
  assert.equal((await alice.engine.message(conv.id, sent.id)).state, 'delivered');
  assert.equal(await bob.engine.markRead(conv.id), 1);
  await alice.engine.sync();
  assert.equal((await alice.engine.message(conv.id, sent.id)).state, 'read');

  await bob.engine.send(conv.id, 'hi alice');
  await alice.engine.sync();
  assert.deepEqual(
    (await alice.engine.messages(conv.id)).map((m) => m.text),
    ['hello bob', 'hi alice'],
  );
});

test('a message survives a restart while the server is down and is sent exactly once', async () => {
  const server = await fakeServer();
  let alice = await registerClient(server, 'alice', { tuning: { retryBaseMs: 1 } });
  const bob = await registerClient(server, 'bob');
  const conv = await alice.engine.openDirect('bob');
  server.down = true;
  const m = await alice.engine.send(conv.id, 'queued');
  assert.equal(m.state, 'pending');
  alice = await reopen(server, alice, { tuning: { retryBaseMs: 1 } });
  assert.equal((await alice.engine.outbox()).length, 1);
  server.down = false;
  // The reply is lost after the hub accepted it: the retry must not deliver it twice.
  server.loseRepliesAfterAccept = 1;
  await alice.engine.flush(true);
  assert.equal((await alice.engine.message(conv.id, m.id)).state, 'pending');
  await alice.engine.flush(true);
  assert.equal((await alice.engine.message(conv.id, m.id)).state, 'sent');
  assert.equal(server.submissions.filter((s) => s.id === m.id).length, 1);
  await bob.engine.sync();
  assert.deepEqual(
    (await bob.engine.messages(conv.id)).map((x) => x.text),
    ['queued'],
  );
});

test('messages behind a changed identity key are held until the user accepts it', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');
  const carol = await registerClient(server, 'carol');
  const group = await alice.engine.createGroup('family', ['bob', 'carol']);
  await alice.engine.govern(group.id, { op: 'promote', person: 'carol' });
  await carol.engine.sync();

  // The server gives the name "bob" to a new account with a new identity key.
  server.users.set('bob-old', server.users.get('bob')!);
  server.users.delete('bob');
  for (const d of server.devices.values()) if (d.user === 'bob') d.user = 'bob-old';
  const newBob = await registerClient(server, 'bob');

  await assert.rejects(carol.engine.addMembers(group.id, ['bob']), { code: 'identity_changed' });
  assert.ok(carol.events.some((e) => e.type === 'identity_changed' && e.user === 'bob'));
  await carol.engine.acceptIdentityChange('bob');
  await carol.engine.addMembers(group.id, ['bob']);
  await carol.engine.send(group.id, 'after the change');

  await alice.engine.sync();
  assert.ok(alice.events.some((e) => e.type === 'identity_changed' && e.user === 'bob'));
  assert.deepEqual(
    (await alice.engine.messages(group.id)).map((m) => m.text),
    [],
  );
  assert.ok((await alice.engine.epoch(group.id)) < (await carol.engine.epoch(group.id)));

  await alice.engine.acceptIdentityChange('bob');
  assert.deepEqual(
    (await alice.engine.messages(group.id)).map((m) => m.text),
    ['after the change'],
  );
  assert.equal(await alice.engine.epoch(group.id), await carol.engine.epoch(group.id));
  await newBob.engine.sync();
  assert.deepEqual(
    (await newBob.engine.messages(group.id)).map((m) => m.text),
    ['after the change'],
  );
  await bob.engine.close();
});

test('a failed registration leaves no store behind; a retry may use another passphrase', async () => {
  const server = await fakeServer();
  await registerClient(server, 'alice');
  const storage = new MemoryStorage();
  const opts = { kdf: FAST_KDF, transport: () => server.transport() };
  const input = { server: 'http://fake.invalid', invite: server.newInvite(), name: 'alice' };
  await assert.rejects(Engine.register(storage, 'first', input, opts), { code: 'name_taken' });
  assert.deepEqual(await storage.keys(), []);
  const bob = await Engine.register(storage, 'second', { ...input, name: 'bob' }, opts);
  assert.equal(bob.whoami().user, 'bob');
  await assert.rejects(Engine.register(storage, 'second', input, opts), { code: 'usage' });
  await bob.close();
  await assert.rejects(Engine.open(storage, 'first'), { code: 'locked' });
});
