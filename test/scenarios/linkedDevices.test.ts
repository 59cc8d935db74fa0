/**
 * Devices through the CLI: a new device is linked with a code and approved by an existing
 * one, receives new messages of existing conversations; once revoked it receives nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  at,
  client,
  clientOk,
  clientProcess,
  findMarkers,
  marker,
  nameMarker,
  removeDirs,
  scratchDir,
  registerCli,
  startServer,
} from '../helpers/scenario.ts';

test('aLinkedDeviceReceivesNewMessagesAndARevokedOneDoesNot', async (t) => {
  const server = await startServer();
  const stores = { alice: scratchDir('alice'), bob: scratchDir('bob'), bob2: scratchDir('bob2') };
  t.after(async () => {
    await server.stop();
    removeDirs([server.dataDir, ...Object.values(stores)]);
  });
  const alice = nameMarker('alice');
  const bob = nameMarker('bob');
  await registerCli(server, stores.alice, alice, server.adminInvite);
  await registerCli(server, stores.bob, bob);
  const { conversation } = await clientOk(stores.alice, 'open', bob);
  const before = marker('before');
  await clientOk(stores.alice, 'send', '--conversation', conversation.id, '--text', before);
  await clientOk(stores.bob, 'sync');

  // The new device shows a code; the old one approves it and adds it to the conversation.
  const linking = clientProcess(stores.bob2, 'link', '--server', server.url);
  const { code, qr } = JSON.parse(await linking.next((l) => l.includes('"code"')));
  assert.match(qr, /^foyer-link:1:/);
  const approved = await clientOk(stores.bob, 'link', 'approve', code, '--wait', '30');
  assert.equal(approved.pending, false);
  assert.equal(await linking.exited, 0);
  const linked = JSON.parse(linking.lines.at(-1)!);
  assert.equal(linked.user, bob);
  assert.equal(approved.deviceId, linked.deviceId);

  const devices = (await clientOk(stores.bob, 'devices')).devices;
  assert.equal(devices.length, 2);

  const during = marker('during');
  await clientOk(stores.alice, 'send', '--conversation', conversation.id, '--text', during);
  await clientOk(stores.bob2, 'sync');
  const seen = await clientOk(stores.bob2, 'messages', '--conversation', conversation.id);
  assert.deepEqual(
    seen.messages.map((m: { text: string }) => m.text),
    [during],
    'the new device reads what was sent after it joined (not the history before)',
  );
  const convs = await clientOk(stores.bob2, 'conversations');
  assert.equal(convs.conversations[0].peer, at(alice));

  // Revoked: removed from the group by bob's first device; reads nothing more.
  const revoked = await clientOk(stores.bob, 'devices', 'revoke', linked.deviceId);
  assert.equal(revoked.conversationsUpdated, 1);
  await clientOk(stores.alice, 'sync');
  const after = marker('after');
  await clientOk(stores.alice, 'send', '--conversation', conversation.id, '--text', after);
  const refused = await client(stores.bob2, 'sync');
  assert.notEqual(refused.code, 0);
  assert.equal(refused.json.error.code, 'device_revoked');
  const still = await clientOk(stores.bob2, 'messages', '--conversation', conversation.id);
  assert.ok(!still.messages.some((m: { text: string }) => m.text === after));
  await clientOk(stores.bob, 'sync');
  const bobSees = await clientOk(stores.bob, 'messages', '--conversation', conversation.id);
  assert.deepEqual(
    bobSees.messages.map((m: { text: string }) => m.text),
    [before, during, after],
  );

  await server.stop();
  assert.deepEqual(
    findMarkers([server.dataDir, ...Object.values(stores)], [alice, bob, before, during, after]),
    [],
  );
});
