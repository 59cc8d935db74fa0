/**
 * Two real Foyer instances on loopback (each its own process and data folder, naming the
 * other through `--federation-peers`) and people on both, with the command-line client:
 * alice@maison.example opens a conversation with bob@chez-bob.example by typing his address,
 * both write and read; then a group with members on both instances, created on either side,
 * where everyone writes and reads. Each client talks only to its own server. Nothing anyone
 * wrote or is called appears in clear on either server or in any store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clientOk,
  findMarkers,
  marker,
  nameMarker,
  registerCli,
  removeDirs,
  scratchDir,
} from '../helpers/scenario.ts';
import { startServerProcess } from '../helpers/server.ts';
import { freePort } from '../helpers/federation.ts';

const A = 'maison.example';
const B = 'chez-bob.example';

test('people on two instances talk one to one and in a group through the CLI', async (t) => {
  const [portA, portB] = [await freePort(), await freePort()];
  const peers = (domain: string, port: number): string[] => [
    '--federation-peers',
    `${domain}=http://127.0.0.1:${port}`,
  ];
  const serverA = await startServerProcess({
    args: ['--domain', A, '--port', String(portA), ...peers(B, portB)],
  });
  const serverB = await startServerProcess({
    args: ['--domain', B, '--port', String(portB), ...peers(A, portA)],
  });
  const stores = { alice: scratchDir('alice'), bob: scratchDir('bob'), carol: scratchDir('carol') };
  t.after(async () => {
    await serverA.stop();
    await serverB.stop();
    removeDirs([serverA.dataDir, serverB.dataDir, ...Object.values(stores)]);
  });
  const alice = nameMarker('alice');
  const bob = nameMarker('bob');
  const carol = nameMarker('carol');
  const aliceAt = `${alice}@${A}`;
  const bobAt = `${bob}@${B}`;
  const carolAt = `${carol}@${B}`;
  await registerCli(serverA, stores.alice, alice, serverA.adminInvite);
  await registerCli(serverB, stores.bob, bob, serverB.adminInvite);
  await registerCli(serverB, stores.carol, carol);

  // One to one: Alice types Bob's full address; her server asks his.
  const hello = marker('hello');
  const { conversation } = await clientOk(stores.alice, 'open', bobAt);
  assert.equal(conversation.kind, 'direct');
  const sent = await clientOk(
    stores.alice,
    'send',
    '--conversation',
    conversation.id,
    '--text',
    hello,
  );
  assert.equal(sent.message.state, 'sent');

  await clientOk(stores.bob, 'sync');
  const listed = await clientOk(stores.bob, 'conversations');
  assert.deepEqual(
    listed.conversations.map((c: { id: string; peer: string }) => [c.id, c.peer]),
    [[conversation.id, aliceAt]],
  );
  const got = await clientOk(stores.bob, 'messages', '--conversation', conversation.id, '--read');
  assert.deepEqual(
    got.messages.map((m: { sender: string; text: string }) => [m.sender, m.text]),
    [[aliceAt, hello]],
  );
  // Bob answers through his own server, which forwards to the hub (Alice's instance).
  const reply = marker('reply');
  const replied = await clientOk(
    stores.bob,
    'send',
    '--conversation',
    conversation.id,
    '--text',
    reply,
  );
  assert.equal(replied.message.state, 'sent');

  await clientOk(stores.alice, 'sync');
  const history = await clientOk(stores.alice, 'messages', '--conversation', conversation.id);
  assert.deepEqual(
    history.messages.map((m: { sender: string; text: string; state: string }) => [
      m.sender,
      m.text,
      m.state,
    ]),
    [
      [aliceAt, hello, 'read'],
      [bobAt, reply, 'received'],
    ],
  );

  // A group created on Bob's instance (its hub) with members on both.
  const title = marker('title');
  const created = await clientOk(
    stores.bob,
    'group',
    'create',
    '--title',
    title,
    '--members',
    `${aliceAt},${carol}`,
  );
  const groupId: string = created.conversation.id;
  assert.deepEqual([...created.conversation.members].sort(), [aliceAt, bobAt, carolAt].sort());
  const texts: Array<[string, string]> = [];
  for (const [who, at] of [
    ['bob', bobAt],
    ['alice', aliceAt],
    ['carol', carolAt],
  ] as const) {
    await clientOk(stores[who], 'sync');
    const text = marker(`g-${who}`);
    const s = await clientOk(stores[who], 'send', '--conversation', groupId, '--text', text);
    assert.equal(s.message.state, 'sent', `${who} sends in the group`);
    texts.push([at, text]);
  }
  for (const who of ['alice', 'bob', 'carol'] as const) {
    await clientOk(stores[who], 'sync');
    const h = await clientOk(stores[who], 'messages', '--conversation', groupId);
    assert.deepEqual(
      h.messages.map((m: { sender: string; text: string }) => [m.sender, m.text]),
      texts,
      `${who} reads the whole group in order`,
    );
  }

  await serverA.stop();
  await serverB.stop();
  assert.deepEqual(
    findMarkers(
      [serverA.dataDir, serverB.dataDir, ...Object.values(stores)],
      [alice, bob, carol, hello, reply, title, ...texts.map(([, x]) => x)],
    ),
    [],
  );
});
