/**
 * A household of four people with two devices each (in-process engines on real file stores,
 * a real server): a group with all eight devices; everyone's messages reach every device in
 * the same order; a removed member's devices read nothing that follows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  at,
  findMarkers,
  linkEngine,
  marker,
  nameMarker,
  registerEngine,
  removeDirs,
  startServer,
  type EngineClient,
} from '../helpers/scenario.ts';

async function syncAll(clients: EngineClient[]): Promise<void> {
  // Twice: receipts and follow-up commits produced by the first round are processed too.
  for (let round = 0; round < 2; round++) for (const c of clients) await c.engine.sync();
}

test('householdOfFourWithTwoDevicesEachSharesAGroup', async (t) => {
  const server = await startServer();
  const clients: EngineClient[] = [];
  const dirs: string[] = [server.dataDir];
  t.after(async () => {
    for (const c of clients) await c.engine.close();
    await server.stop();
    removeDirs(dirs);
  });
  const names = ['alice', 'bob', 'carol', 'dave'].map((n) => nameMarker(n));
  const title = marker('title');
  const firsts: EngineClient[] = [];
  for (const [i, name] of names.entries()) {
    const c = await registerEngine(server, name, i === 0 ? server.adminInvite : undefined);
    firsts.push(c);
    clients.push(c);
  }
  for (const first of firsts) clients.push(await linkEngine(server, first));
  dirs.push(...clients.map((c) => c.dir));
  const [alice, bob, carol, dave] = firsts as [
    EngineClient,
    EngineClient,
    EngineClient,
    EngineClient,
  ];

  const group = await alice.engine.createGroup(title, [bob.name, carol.name, dave.name]);
  assert.deepEqual(group.members, names.map(at).sort());
  await syncAll(clients);
  for (const c of clients) {
    const [conv] = await c.engine.conversations();
    assert.equal(conv?.id, group.id, `${c.name} sees the group`);
    assert.equal(conv?.title, title);
    assert.equal(conv?.kind, 'group');
    assert.equal(await c.engine.epoch(group.id), await alice.engine.epoch(group.id));
  }

  // Each person writes from one of their devices, in turn.
  const texts: string[] = [];
  for (const [i, c] of clients.entries()) {
    if (i % 3 !== 0) continue;
    const text = marker(`m${i}`);
    texts.push(text);
    assert.equal((await c.engine.send(group.id, text)).state, 'sent');
    await syncAll(clients);
  }
  for (const c of clients) {
    const history = await c.engine.messages(group.id);
    assert.deepEqual(
      history.map((m) => m.text),
      texts,
      `${c.name}'s device has every message once, in order`,
    );
  }
  // Receipts from recipient devices moved the first message to delivered.
  assert.equal((await clients[0]!.engine.messages(group.id))[0]?.state, 'delivered');

  // Dave is removed: his two devices learn it and read nothing that follows.
  await alice.engine.removeMembers(group.id, [dave.name]);
  const secret = marker('after-removal');
  await bob.engine.sync();
  await bob.engine.send(group.id, secret);
  await syncAll(clients);
  for (const c of clients) {
    const conv = await c.engine.conversation(group.id);
    const history = (await c.engine.messages(group.id)).map((m) => m.text);
    if (c.name === dave.name) {
      assert.equal(conv.status, 'removed');
      assert.ok(!history.includes(secret), 'a removed device cannot read what follows');
    } else {
      assert.equal(conv.status, 'active');
      assert.deepEqual(conv.members, [alice.name, bob.name, carol.name].map(at).sort());
      assert.equal(history.at(-1), secret);
    }
  }

  for (const c of clients) await c.engine.close();
  clients.length = 0;
  await server.stop();
  assert.deepEqual(findMarkers(dirs, [...names, title, ...texts, secret]), []);
});
