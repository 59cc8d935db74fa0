/**
 * Instance key rotation with the command-line client (the real engine and its encrypted
 * store) on two real instances: after `chez-bob.example` rotates its key, Alice on
 * `maison.example` keeps talking with Bob (whose credential the old key signed) in their
 * conversation, and opens a group with Bob and Carol (registered after the rotation, her
 * credential signed by the new key). Alice's client follows the rotation through her own
 * server; Carol's client accepts Bob's older credential from her own instance's chain. Bob,
 * whose client pinned the old key, links a new device: its credential (new key) is accepted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clientOk,
  clientProcess,
  marker,
  nameMarker,
  registerCli,
  removeDirs,
  scratchDir,
} from '../helpers/scenario.ts';
import { runFoyer, startServerProcess } from '../helpers/server.ts';
import { freePort } from '../helpers/federation.ts';

const A = 'maison.example';
const B = 'chez-bob.example';

test('after an instance rotates its key, conversations with its users go on, old and new', async (t) => {
  const [portA, portB] = [await freePort(), await freePort()];
  const serverA = await startServerProcess({
    args: [
      '--domain',
      A,
      '--port',
      String(portA),
      '--federation-peers',
      `${B}=http://127.0.0.1:${portB}`,
    ],
  });
  const serverB = await startServerProcess({
    args: [
      '--domain',
      B,
      '--port',
      String(portB),
      '--federation-peers',
      `${A}=http://127.0.0.1:${portA}`,
    ],
  });
  const stores = {
    alice: scratchDir('alice'),
    bob: scratchDir('bob'),
    bob2: scratchDir('bob2'),
    carol: scratchDir('carol'),
  };
  t.after(async () => {
    await serverA.stop();
    await serverB.stop();
    removeDirs([serverA.dataDir, serverB.dataDir, ...Object.values(stores)]);
  });
  const alice = nameMarker('alice');
  const bob = nameMarker('bob');
  const carol = nameMarker('carol');
  const [aliceAt, bobAt, carolAt] = [`${alice}@${A}`, `${bob}@${B}`, `${carol}@${B}`];
  await registerCli(serverA, stores.alice, alice, serverA.adminInvite);
  await registerCli(serverB, stores.bob, bob, serverB.adminInvite);

  const before = marker('before');
  const { conversation } = await clientOk(stores.alice, 'open', bobAt);
  await clientOk(stores.alice, 'send', '--conversation', conversation.id, '--text', before);
  await clientOk(stores.bob, 'sync');

  const rotated = await runFoyer(['federation', 'rotate-key', '--data', serverB.dataDir, '--json']);
  assert.equal(rotated.code, 0, rotated.stderr + rotated.stdout);

  // The existing conversation, both ways.
  const after = marker('after');
  await clientOk(stores.bob, 'send', '--conversation', conversation.id, '--text', after);
  await clientOk(stores.alice, 'sync');
  const history = await clientOk(stores.alice, 'messages', '--conversation', conversation.id);
  assert.deepEqual(
    history.messages.map((m: { sender: string; text: string }) => [m.sender, m.text]),
    [
      [aliceAt, before],
      [bobAt, after],
    ],
  );

  // A new group, hubbed on maison, with a user registered before and one after the rotation.
  await registerCli(serverB, stores.carol, carol);
  const created = await clientOk(
    stores.alice,
    'group',
    'create',
    '--title',
    marker('title'),
    '--members',
    `${bobAt},${carolAt}`,
  );
  const groupId: string = created.conversation.id;
  assert.deepEqual([...created.conversation.members].sort(), [aliceAt, bobAt, carolAt].sort());
  // Carol joins (her client accepts Bob's leaf, signed by the old key) and writes; Bob and
  // Alice read her.
  await clientOk(stores.carol, 'sync');
  const fromCarol = marker('g-carol');
  const s = await clientOk(stores.carol, 'send', '--conversation', groupId, '--text', fromCarol);
  assert.equal(s.message.state, 'sent');
  for (const who of ['bob', 'alice'] as const) {
    await clientOk(stores[who], 'sync');
    const h = await clientOk(stores[who], 'messages', '--conversation', groupId);
    assert.deepEqual(
      h.messages.map((m: { sender: string; text: string }) => [m.sender, m.text]),
      [[carolAt, fromCarol]],
      `${who} reads Carol`,
    );
  }

  // Bob links a second device: his first device checks its credential (signed by the new key)
  // after following the rotation, and hands it the current key.
  const linking = clientProcess(stores.bob2, 'link', '--server', serverB.url);
  const { code } = JSON.parse(await linking.next((l) => l.includes('"code"')));
  const approved = await clientOk(stores.bob, 'link', 'approve', code, '--wait', '30');
  assert.equal(approved.pending, false);
  assert.equal(await linking.exited, 0);
  const toBoth = marker('to-both');
  await clientOk(stores.alice, 'send', '--conversation', conversation.id, '--text', toBoth);
  await clientOk(stores.bob2, 'sync');
  const seen = await clientOk(stores.bob2, 'messages', '--conversation', conversation.id);
  assert.deepEqual(
    seen.messages.map((m: { text: string }) => m.text),
    [toBoth],
  );
});
