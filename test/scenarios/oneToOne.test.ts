/**
 * Two people talk one to one through the command-line client (child processes) and a real
 * server; nothing they wrote or are called appears in clear on the server or in their stores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  at,
  clientOk,
  clientProcess,
  findMarkers,
  marker,
  nameMarker,
  removeDirs,
  scratchDir,
  startServer,
} from '../helpers/scenario.ts';

test('aliceAndBobTalkOneToOneThroughTheCli', async (t) => {
  const server = await startServer();
  const aliceStore = scratchDir('alice');
  const bobStore = scratchDir('bob');
  t.after(async () => {
    await server.stop();
    removeDirs([server.dataDir, aliceStore, bobStore]);
  });
  const alice = nameMarker('alice');
  const bob = nameMarker('bob');
  const hello = marker('hello');
  const reply = marker('reply');

  // The admin invite as the full link, the second one as server + code.
  await clientOk(
    aliceStore,
    'register',
    '--invite',
    `${server.url}/join#${server.adminInvite}`,
    '--name',
    alice,
  );
  await clientOk(
    bobStore,
    'register',
    '--server',
    server.url,
    '--invite',
    await server.invite(),
    '--name',
    bob,
  );
  assert.equal((await clientOk(bobStore, 'whoami')).user, bob);

  const { conversation } = await clientOk(aliceStore, 'open', bob);
  assert.equal(conversation.kind, 'direct');
  const sent = await clientOk(
    aliceStore,
    'send',
    '--conversation',
    conversation.id,
    '--text',
    hello,
  );
  assert.equal(sent.message.state, 'sent');

  await clientOk(bobStore, 'sync');
  const listed = await clientOk(bobStore, 'conversations');
  assert.deepEqual(
    listed.conversations.map((c: { id: string; peer: string }) => [c.id, c.peer]),
    [[conversation.id, at(alice)]],
  );
  const got = await clientOk(bobStore, 'messages', '--conversation', conversation.id, '--read');
  assert.deepEqual(
    got.messages.map((m: { sender: string; text: string }) => [m.sender, m.text]),
    [[at(alice), hello]],
  );
  await clientOk(bobStore, 'send', '--conversation', conversation.id, '--text', reply);

  // Alice watches: incoming events arrive as JSON lines until she interrupts it.
  const watching = clientProcess(aliceStore, 'watch');
  await watching.next((l) => l.includes('"watching"'));
  const live = marker('live');
  await clientOk(bobStore, 'send', '--conversation', conversation.id, '--text', live);
  const event = JSON.parse(await watching.next((l) => l.includes(live)));
  assert.equal(event.type, 'message');
  assert.equal(event.message.sender, at(bob));
  watching.proc.kill('SIGINT');
  assert.equal(await watching.exited, 0);

  await clientOk(aliceStore, 'sync');
  const history = await clientOk(aliceStore, 'messages', '--conversation', conversation.id);
  assert.deepEqual(
    history.messages.map((m: { text: string; state: string }) => [m.text, m.state]),
    [
      [hello, 'read'],
      [reply, 'received'],
      [live, 'received'],
    ],
  );

  // Both see the same safety number.
  const a = await clientOk(aliceStore, 'safety', bob);
  const b = await clientOk(bobStore, 'safety', alice, '--verify');
  assert.equal(a.digits, b.digits);
  assert.equal(b.verified, true);

  await server.stop();
  assert.deepEqual(
    findMarkers([server.dataDir, aliceStore, bobStore], [alice, bob, hello, reply, live]),
    [],
  );
});
