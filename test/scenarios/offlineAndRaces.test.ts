/**
 * Delivery under real conditions (in-process engines, real server): a device offline while
 * messages pile up catches up in order without duplicates (over HTTP and over the push
 * socket), and two members committing at once converge through `wrong_epoch`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../src/shared/engine/index.ts';
import {
  at,
  findMarkers,
  linkEngine,
  marker,
  nameMarker,
  registerEngine,
  removeDirs,
  reopenEngine,
  startServer,
  type EngineClient,
} from '../helpers/scenario.ts';

function waitFor(c: EngineClient, match: (e: EngineEvent) => boolean): Promise<EngineEvent> {
  const seen = c.events.find(match);
  if (seen !== undefined) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const off = c.engine.on((e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });
}

test('anOfflineDeviceCatchesUpInOrderWithoutDuplicates', async (t) => {
  const server = await startServer();
  const clients: EngineClient[] = [];
  t.after(async () => {
    for (const c of clients) await c.engine.close();
    await server.stop();
    removeDirs([server.dataDir, ...clients.map((c) => c.dir)]);
  });
  const alice = await registerEngine(server, nameMarker('alice'), server.adminInvite);
  const bob = await registerEngine(server, nameMarker('bob'));
  clients.push(alice, bob);
  const bobPhone = await linkEngine(server, bob);
  clients.push(bobPhone);
  const conv = await alice.engine.openDirect(bob.name);

  // Bob's devices are offline while alice writes more than a mailbox page.
  const texts = Array.from({ length: 130 }, (_, i) => `${marker('offline')}-${i}`);
  for (const text of texts) await alice.engine.send(conv.id, text);

  // The laptop catches up over HTTP, restarting halfway (nothing is processed twice).
  const first = await bob.engine.sync();
  assert.equal(first.processed, 2 + texts.length); // welcome + metadata + texts
  const reopened = await reopenEngine(bob);
  clients[1] = reopened;
  assert.equal((await reopened.engine.sync()).processed, 0);
  assert.deepEqual(
    (await reopened.engine.messages(conv.id)).map((m) => m.text),
    texts,
  );

  // The phone catches up through the push socket, as `watch` does.
  bobPhone.engine.start();
  await waitFor(bobPhone, (e) => e.type === 'message' && e.message.text === texts.at(-1));
  assert.ok(
    bobPhone.events.some((e) => e.type === 'connection' && e.state === 'online'),
    'delivered through the WebSocket, not by polling',
  );
  assert.deepEqual(
    (await bobPhone.engine.messages(conv.id)).map((m) => m.text),
    texts,
  );
  // A live message arrives by push too.
  const live = marker('live');
  await alice.engine.send(conv.id, live);
  await waitFor(bobPhone, (e) => e.type === 'message' && e.message.text === live);
  assert.equal((await bobPhone.engine.messages(conv.id)).length, texts.length + 1);

  for (const c of clients) await c.engine.close();
  clients.length = 0;
  await server.stop();
  assert.deepEqual(
    findMarkers(
      [server.dataDir, alice.dir, bob.dir, bobPhone.dir],
      [alice.name, bob.name, live, ...texts.slice(0, 3)],
    ),
    [],
  );
});

test('competingCommitsConvergeThroughWrongEpoch', async (t) => {
  const server = await startServer();
  const clients: EngineClient[] = [];
  t.after(async () => {
    for (const c of clients) await c.engine.close();
    await server.stop();
    removeDirs([server.dataDir, ...clients.map((c) => c.dir)]);
  });
  const [alice, bob, carol, dave] = [
    await registerEngine(server, nameMarker('alice'), server.adminInvite),
    await registerEngine(server, nameMarker('bob')),
    await registerEngine(server, nameMarker('carol')),
    await registerEngine(server, nameMarker('dave')),
  ] as [EngineClient, EngineClient, EngineClient, EngineClient];
  clients.push(alice, bob, carol, dave);
  const group = await alice.engine.createGroup(marker('title'), [bob.name, carol.name]);
  // Carol is an admin too: only admins remove other members (docs/groups.md).
  await alice.engine.govern(group.id, { op: 'promote', person: carol.name });
  for (const c of [bob, carol]) await c.engine.sync();
  const epoch = await alice.engine.epoch(group.id);
  assert.equal(await carol.engine.epoch(group.id), epoch);

  // Both commit on the same epoch at the same time: one wins, the other catches up and retries.
  await Promise.all([
    alice.engine.addMembers(group.id, [dave.name]),
    carol.engine.removeMembers(group.id, [bob.name]),
  ]);
  const retries = alice.engine.stats().wrongEpochRetries + carol.engine.stats().wrongEpochRetries;
  assert.equal(retries, 1, 'exactly one of the two commits lost the race and was rebuilt');
  for (const c of clients) await c.engine.sync();
  const expected = [alice.name, carol.name, dave.name].map(at).sort();
  for (const c of [alice, carol, dave]) {
    const conv = await c.engine.conversation(group.id);
    assert.deepEqual(conv.members, expected, `${c.name} converged`);
    assert.equal(await c.engine.epoch(group.id), epoch + 2);
  }
  assert.equal((await bob.engine.conversation(group.id)).status, 'removed');

  // The converged group works.
  const text = marker('converged');
  await dave.engine.send(group.id, text);
  for (const c of [alice, carol]) {
    await c.engine.sync();
    assert.equal((await c.engine.messages(group.id)).at(-1)?.text, text);
  }
});
