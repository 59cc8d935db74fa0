/**
 * Removing conversations and contacts, and blocking, across a user's devices, against a real
 * server: the account channel carries the removal of an already-left conversation, removed
 * contacts and blocks to every device of the user (also one linked later), and everything
 * holds after restarts; the server's data folder holds none of it in plaintext.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  at,
  clientOk,
  findMarkers,
  linkEngine,
  marker,
  nameMarker,
  registerCli,
  registerEngine,
  reopenEngine,
  scratchDir,
  startServer,
  tearDown,
  type EngineClient,
  type ScenarioServer,
} from '../helpers/scenario.ts';
import type { Engine } from '../../src/shared/engine/index.ts';
import { publishSettings } from '../../src/shared/engine/settings/channel.ts';
import { withRemoved } from '../../src/shared/engine/settings/settingsModel.ts';
import { changeSettings } from '../../src/shared/engine/settings/settingsStore.ts';

let server: ScenarioServer;
/** A second server: the first's rate limit allows only a few device links from one address. */
let second: ScenarioServer;
const clients: EngineClient[] = [];
const stores: string[] = [];
/** Text markers sent in these tests: none may reach the server's data folder in plaintext. */
const texts: string[] = [];

async function engine(name: string, on = server): Promise<EngineClient> {
  const c = await registerEngine(on, name);
  clients.push(c);
  return c;
}

async function linked(existing: EngineClient, on = server): Promise<EngineClient> {
  const c = await linkEngine(on, existing);
  clients.push(c);
  return c;
}

/** Reopens a client's store (a restart), keeping the teardown list right. */
async function restart(c: EngineClient): Promise<EngineClient> {
  const next = await reopenEngine(c);
  clients[clients.indexOf(c)] = next;
  return next;
}

async function syncAll(list: EngineClient[]): Promise<void> {
  // Twice: what one device sends in the first round (a snapshot, a removal) is seen too.
  for (let round = 0; round < 2; round++) for (const c of list) await c.engine.sync();
}

async function ids(e: Engine): Promise<string[]> {
  return (await e.conversations()).map((c) => c.id);
}

function text(tag: string): string {
  const t = marker(tag);
  texts.push(t);
  return t;
}

function sawText(c: EngineClient, t: string): boolean {
  return c.events.some((e) => e.type === 'message' && e.message.text === t);
}

before(async () => {
  server = await startServer();
  second = await startServer();
});
after(async () => {
  await tearDown([server, second], clients, stores);
});

test('removingAnAlreadyLeftConversationReachesTheOtherDevicesAlsoAfterRestarts', async () => {
  let alice = await engine(nameMarker('alice'));
  let laptop = await linked(alice);
  const bob = await engine(nameMarker('bob'));
  const group = await bob.engine.createGroup('left then removed', [alice.name]);
  await syncAll([alice, laptop]);
  await alice.engine.leave(group.id);
  await syncAll([laptop, bob, alice]);
  assert.equal((await laptop.engine.conversation(group.id)).status, 'left');

  // Out of the group, the only way to the laptop is the account channel.
  await alice.engine.removeConversation(group.id);
  assert.ok(!(await ids(alice.engine)).includes(group.id));
  await syncAll([laptop]);
  assert.ok(!(await ids(laptop.engine)).includes(group.id), 'gone on the other device');
  assert.ok(
    laptop.events.some((e) => e.type === 'conversation_removed' && e.conversationId === group.id),
  );
  // The channel itself is never listed.
  assert.deepEqual(await ids(alice.engine), []);
  assert.deepEqual(await ids(laptop.engine), []);

  alice = await restart(alice);
  laptop = await restart(laptop);
  await syncAll([alice, laptop]);
  for (const c of [alice, laptop]) assert.ok(!(await ids(c.engine)).includes(group.id));
  // Invited back by Bob: the invitation is ignored on both devices.
  await bob.engine.addMembers(group.id, [alice.name]);
  await syncAll([alice, laptop]);
  for (const c of [alice, laptop]) assert.ok(!(await ids(c.engine)).includes(group.id));

  // Changes made on both devices at once both survive (the laptop has not seen Alice's).
  const [x, y] = [nameMarker('x'), nameMarker('y')];
  await alice.engine.block(x);
  await laptop.engine.block(y);
  await alice.engine.unblock(x);
  await syncAll([alice, laptop]);
  for (const c of [alice, laptop]) assert.deepEqual(await c.engine.blocked(), [at(y)]);
});

test('twoDevicesCreatingTheChannelAtOnceStillAgree', async () => {
  const alice = await engine(nameMarker('alice'));
  const laptop = await linked(alice);
  const [x, y] = [nameMarker('x'), nameMarker('y')];
  // Neither device has a channel yet: both create one, and snapshots are merged from both.
  await alice.engine.block(x);
  await laptop.engine.block(y);
  await syncAll([alice, laptop]);
  for (const c of [alice, laptop])
    assert.deepEqual(await c.engine.blocked(), [at(x), at(y)].sort());
});

test('removingAContactRemovesTheirOneToOneOnEveryDevice', async () => {
  const alice = await engine(nameMarker('alice'));
  const laptop = await linked(alice);
  const carol = await engine(nameMarker('carol'));
  const dave = await engine(nameMarker('dave'));
  // One started by the contact, one by Alice (the only admin there: it takes Dave out).
  const fromCarol = await carol.engine.openDirect(alice.name);
  await carol.engine.send(fromCarol.id, text('carol'));
  const toDave = await alice.engine.openDirect(dave.name);
  await syncAll([alice, laptop, carol, dave]);
  assert.ok((await ids(laptop.engine)).includes(fromCarol.id));

  assert.deepEqual(await alice.engine.removeContact(carol.name), [fromCarol.id]);
  assert.deepEqual(await laptop.engine.removeContact(dave.name), [toDave.id]);
  await syncAll([alice, laptop, carol, dave]);
  for (const c of [alice, laptop]) assert.deepEqual(await ids(c.engine), []);
  // A removed contact is not blocked: a new conversation of theirs shows.
  const again = await carol.engine.openDirect(alice.name);
  assert.notEqual(again.id, fromCarol.id);
  const hello = text('again');
  await carol.engine.send(again.id, hello);
  await syncAll([alice, laptop]);
  for (const c of [alice, laptop]) {
    assert.deepEqual(await ids(c.engine), [again.id]);
    assert.ok(sawText(c, hello));
  }
});

test('blockingHidesTheirNewAttemptsOnEveryDeviceUntilUnblocked', async () => {
  let alice = await engine(nameMarker('alice'), second);
  let laptop = await linked(alice, second);
  const erin = await engine(nameMarker('erin'), second);
  const before = await alice.engine.openDirect(erin.name);
  await alice.engine.send(before.id, text('before'));
  await syncAll([alice, laptop, erin]);

  assert.deepEqual(await alice.engine.block(erin.name), [before.id]);
  await syncAll([alice, laptop, erin]);
  for (const c of [alice, laptop]) {
    assert.deepEqual(await c.engine.blocked(), [at(erin.name)]);
    assert.deepEqual(await ids(c.engine), []);
  }
  // Erin is not told: the old conversation is gone for her (Alice was its admin and took
  // her out), and she starts a new one, whose messages never show on any of Alice's devices.
  const attempt = await erin.engine.openDirect(alice.name);
  assert.notEqual(attempt.id, before.id);
  const hidden = text('blocked');
  const sent = await erin.engine.send(attempt.id, hidden);
  assert.equal(sent.state, 'sent');
  await syncAll([alice, laptop, erin]);
  for (const c of [alice, laptop]) {
    assert.deepEqual(await ids(c.engine), []);
    assert.ok(!sawText(c, hidden));
    assert.ok(
      !c.events.some((e) => e.type === 'conversation_added' && e.conversation.id === attempt.id),
    );
  }
  assert.notEqual((await erin.engine.message(attempt.id, sent.id)).state, 'delivered');
  const refused = await alice.engine.openDirect(erin.name).catch((err: unknown) => err);
  assert.equal((refused as { code?: string }).code, 'forbidden');

  // After restarts, and on a device linked after the block.
  alice = await restart(alice);
  laptop = await restart(laptop);
  const hidden2 = text('blocked2');
  await erin.engine.send(attempt.id, hidden2);
  const tablet = await linked(alice, second);
  await syncAll([alice, laptop, tablet]);
  await syncAll([tablet]);
  assert.deepEqual(await tablet.engine.blocked(), [at(erin.name)]);
  for (const c of [alice, laptop, tablet]) {
    assert.deepEqual(await ids(c.engine), []);
    assert.ok(!sawText(c, hidden2));
  }

  // Unblock: a conversation with Erin works again, on every device.
  await laptop.engine.unblock(erin.name);
  await syncAll([laptop, alice, tablet]);
  for (const c of [alice, laptop, tablet]) assert.deepEqual(await c.engine.blocked(), []);
  const open = await alice.engine.openDirect(erin.name);
  const hi = text('unblocked');
  await alice.engine.send(open.id, hi);
  await syncAll([erin]);
  assert.ok(sawText(erin, hi));
  const reply = text('reply');
  await erin.engine.send(open.id, reply);
  await syncAll([alice, laptop, tablet, alice]);
  for (const c of [alice, laptop, tablet]) {
    assert.ok(sawText(c, reply), 'the reply reaches every device');
    assert.ok((await ids(c.engine)).includes(open.id));
  }
});

test('aDeviceStillInAConversationRemovedElsewhereLeavesItToo', async () => {
  // The removal can reach a device before the leave that went with it (the group's hub on
  // another instance relays the leave later): recorded here without leaving, to see it.
  const alice = await engine(nameMarker('alice'), second);
  const laptop = await linked(alice, second);
  const bob = await engine(nameMarker('bob'), second);
  const group = await bob.engine.createGroup('removed elsewhere', [alice.name]);
  await syncAll([alice, laptop]);
  await alice.engine.run(async (ctx) => {
    const tx = ctx.store.tx();
    await changeSettings(tx, (st) => withRemoved(st, [group.id]));
    await tx.commit();
    await publishSettings(ctx);
  });
  await alice.engine.flush();
  await syncAll([laptop, alice, bob]);
  for (const c of [alice, laptop]) assert.ok(!(await ids(c.engine)).includes(group.id));
  assert.deepEqual((await bob.engine.conversation(group.id)).members, [at(bob.name)]);
});

test('cliContactRemoveBlockUnblockAndBlockedWithJson', async () => {
  const store = scratchDir('client-cli');
  stores.push(store);
  const name = nameMarker('fay');
  await registerCli(server, store, name);
  const gus = await engine(nameMarker('gus'));
  const direct = await gus.engine.openDirect(name);
  await clientOk(store, 'sync');
  assert.deepEqual(await clientOk(store, 'contact', 'remove', gus.name), { removed: [direct.id] });
  assert.deepEqual(await clientOk(store, 'block', gus.name), { blocked: gus.name, removed: [] });
  assert.deepEqual(await clientOk(store, 'blocked'), { blocked: [at(gus.name)] });
  assert.deepEqual(await clientOk(store, 'unblock', gus.name), { unblocked: gus.name });
  assert.deepEqual(await clientOk(store, 'blocked', '--offline'), { blocked: [] });
});

test('theServerDataFolderHoldsNoSettingsOrTextInPlaintext', () => {
  assert.ok(texts.length > 0);
  assert.deepEqual(
    findMarkers([server.dataDir, second.dataDir], [...texts, '"blocked":true', '"removed":[']),
    [],
  );
});
