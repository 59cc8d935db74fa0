import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { memoryDb } from '../testing/memoryDb.ts';
import { Mailboxes } from '../mailbox/mailbox.ts';
import { Writer } from '../writer.ts';
import type { Hub } from '../hub/hub.ts';
import type { Caller } from '../accounts/accounts.ts';
import { FederationStore } from './store.ts';
import { HeldStore } from './held/store.ts';
import { Inbox } from './inbox.ts';
import { Relay } from './relay.ts';
import { Forwarder } from './forward.ts';
import type { PeerClient } from './peerClient.ts';
import { createGroup, encryptMessage, selfUpdate } from '../../shared/mls/group.ts';
import { makeTestHousehold } from '../../shared/mls/testing.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { randomBytes, toBase64Url, utf8 } from '../../shared/protocol/bytes.ts';
import type { DeliveryStatus } from '../../shared/protocol/api.ts';

const HUB = 'maison.example';
const LOCAL = ['bob', 'bea', 'ben'];

type Call = (domain: string, method: string, path: string, body: unknown) => Promise<unknown>;

/**
 * A follower's federation pieces over an in-memory database; `call` plays the hub (the
 * signed call itself is peerClient.ts's, tested across instances in the scenarios).
 */
async function setup(call: Call, maxAgeMs = 60_000, maxHeld = 1000) {
  const db = memoryDb();
  LOCAL.forEach((name, i) => {
    db.prepare('INSERT INTO users (id, name, identity_key, created_at) VALUES (?, ?, ?, 0)').run(
      i + 1,
      name,
      Buffer.alloc(32),
    );
    db.prepare(
      'INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES (?, ?, ?, ?, 0)',
    ).run(name, i + 1, Buffer.alloc(32), Buffer.alloc(8));
  });
  const mailboxes = new Mailboxes(db, { ttlMs: 60_000, quota: 100 });
  const writer = new Writer(db, {
    afterCommit: () => mailboxes.publishBatch(),
    onAbort: () => assert.fail('batch aborted'),
  });
  const store = new FederationStore(db);
  const held = new HeldStore(db);
  const calls: Array<{ path: string; body: Record<string, unknown> }> = [];
  const client = {
    domain: 'chez-bob.example',
    call: (domain: string, method: string, path: string, body: unknown) => {
      calls.push({ path, body: body as Record<string, unknown> });
      return call(domain, method, path, body);
    },
  } as unknown as PeerClient;
  /** Devices revoked since the hub's last member list. */
  const revoked = new Set<string>();
  const isLiveDevice = (id: string): boolean => LOCAL.includes(id) && !revoked.has(id);
  const relay = new Relay({
    held,
    store,
    writer,
    mailboxes,
    client,
    log: pino({ level: 'silent' }),
    maxAgeMs,
    maxHeld,
    isLiveDevice,
  });
  const inbox = new Inbox({ store, writer, mailboxes, isLiveDevice, isHubHere: () => false });
  const hub = { isHubOf: () => false } as unknown as Hub;
  const forwarder = new Forwarder({ client, store, hub, relay });
  // An MLS group to make real messages of (the follower only inspects them).
  const h = await makeTestHousehold(['bob']);
  const groupId = randomBytes(16);
  let group = await createGroup(groupId, h.devices[0]!.me, { trust: h.trust });
  const message = async (): Promise<{ id: string; body: Uint8Array }> => {
    const out = await encryptMessage(group, utf8('hello'), { trust: h.trust });
    group = out.group;
    return { id: toBase64Url(randomBytes(16)), body: out.message };
  };
  const commit = async (): Promise<Uint8Array> =>
    (await selfUpdate(group, { trust: h.trust })).commit;
  const caller = (name: string): Caller => ({
    deviceId: name,
    userId: LOCAL.indexOf(name) + 1,
    userName: name,
  });
  const submit = (name: string, id: string, body: Uint8Array) =>
    forwarder.submit(caller(name), groupId, {
      id,
      message: body,
      welcome: undefined,
      groupInfo: undefined,
    });
  /** The hub delivers one item of the group, telling this instance its member devices. */
  const fromHub = (msgId: string, body: Uint8Array, devices: string[], members?: string[]) =>
    inbox.accept(
      HUB,
      [
        {
          kind: 'message',
          groupId,
          msgId,
          body,
          devices,
          ...(members === undefined ? {} : { members }),
        },
      ],
      Date.now(),
    );
  const ids = (device: string): string[] =>
    mailboxes
      .page(device, 0, 100)
      .items.filter((i) => i.kind === 'message')
      .map((i) => i.id);
  const statuses = (device: string): DeliveryStatus[] =>
    mailboxes
      .page(device, 0, 100)
      .items.filter((i) => i.kind === 'status')
      .map((i) => JSON.parse(Buffer.from(i.payload, 'base64url').toString()) as DeliveryStatus);
  return {
    forwarder,
    revoked,
    groupId,
    caller,
    relay,
    held,
    store,
    calls,
    message,
    commit,
    submit,
    fromHub,
    ids,
    statuses,
    stop: () => relay.stop(),
  };
}

const unreachable = (): Promise<never> =>
  Promise.reject(
    new FoyerError('peer_unreachable', 'down', { domain: HUB, reason: 'network: TypeError' }),
  );

test('the hub unreachable: a member device of a known group is held and placed at once with its other live members', async (t) => {
  const s = await setup(unreachable);
  t.after(s.stop);
  const welcome = await s.message();
  await s.fromHub(welcome.id, welcome.body, ['bob', 'bea'], ['bob', 'bea', 'gone']);
  const m = await s.message();
  const r = await s.submit('bob', m.id, m.body);
  assert.equal(r.duplicate, false);
  assert.deepEqual(s.ids('bea'), [welcome.id, m.id]);
  // Not the sender; not a device the hub lists but this instance does not know or has revoked.
  assert.deepEqual(s.ids('bob'), [welcome.id]);
  assert.equal(s.held.count(HUB), 1);
  // The client's retry of the same id delivers nothing again.
  assert.deepEqual(await s.submit('bob', m.id, m.body), { epoch: r.epoch, duplicate: true });
  assert.deepEqual(s.ids('bea'), [welcome.id, m.id]);
  // The relay keeps trying the hub: the message stays held, in order.
  assert.equal(s.held.count(HUB), 1);
});

test('a newer item replaces the member list; a device the hub no longer lists gets nothing', async (t) => {
  const s = await setup(unreachable);
  t.after(s.stop);
  const first = await s.message();
  await s.fromHub(first.id, first.body, ['bob', 'bea', 'ben'], ['bob', 'bea', 'ben']);
  const removal = await s.message();
  await s.fromHub(removal.id, removal.body, ['bob', 'bea', 'ben'], ['bob', 'bea']);
  const m = await s.message();
  await s.submit('bob', m.id, m.body);
  assert.deepEqual(s.ids('bea'), [first.id, removal.id, m.id]);
  assert.deepEqual(s.ids('ben'), [first.id, removal.id]);
  // A device this instance does not know as a member is not held: the hub's answer stands.
  const n = await s.message();
  await assert.rejects(s.submit('ben', n.id, n.body), (e: unknown) => {
    assert.ok(e instanceof FoyerError && e.code === 'peer_unreachable', String(e));
    return true;
  });
  assert.equal(s.held.count(HUB), 1);
});

test('a group never told its members (an older hub) is not held', async (t) => {
  const s = await setup(unreachable);
  t.after(s.stop);
  const first = await s.message();
  await s.fromHub(first.id, first.body, ['bob', 'bea']);
  const m = await s.message();
  await assert.rejects(
    s.submit('bob', m.id, m.body),
    (e: unknown) => e instanceof FoyerError && e.code === 'peer_unreachable',
  );
  assert.deepEqual(s.ids('bea'), [first.id]);
  assert.equal(s.held.count(HUB), 0);
});

test("a held message is placed once, whichever comes first: the hub's own copy or the hold", async (t) => {
  const s = await setup(unreachable);
  t.after(s.stop);
  const first = await s.message();
  await s.fromHub(first.id, first.body, ['bob', 'bea'], ['bob', 'bea']);
  // Held, then the hub's copy arrives after all (it had taken an attempt whose answer was lost).
  const m = await s.message();
  await s.submit('bob', m.id, m.body);
  assert.deepEqual(await s.fromHub(m.id, m.body, ['bea'], ['bob', 'bea']), {
    accepted: 0,
    duplicates: 1,
    refused: 0,
  });
  // The hub's copy first (delivered while the forward's answer was lost), then the hold.
  const n = await s.message();
  await s.fromHub(n.id, n.body, ['bea'], ['bob', 'bea']);
  await s.submit('bob', n.id, n.body);
  assert.deepEqual(s.ids('bea'), [first.id, m.id, n.id]);
  assert.equal(s.held.count(HUB), 2);
});

test('while messages are held for the hub, new ones queue behind them and a commit waits', async (t) => {
  let up = false;
  const s = await setup(() =>
    up ? Promise.resolve({ epoch: 0, duplicate: false }) : unreachable(),
  );
  t.after(s.stop);
  const first = await s.message();
  await s.fromHub(first.id, first.body, ['bob', 'bea'], ['bob', 'bea']);
  const m1 = await s.message();
  await s.submit('bob', m1.id, m1.body);
  up = true;
  // The hub is back, but m1 has not gone yet: m2 is not sent before it.
  const before = s.calls.length;
  const m2 = await s.message();
  await s.submit('bea', m2.id, m2.body);
  assert.equal(s.calls.slice(before).filter((c) => c.body['id'] === m2.id).length, 0);
  assert.equal(s.held.count(HUB), 2);
  await assert.rejects(s.submit('bob', randomId(), await s.commit()), (e: unknown) => {
    assert.ok(e instanceof FoyerError && e.code === 'peer_unreachable', String(e));
    assert.equal(e.details?.['reason'], 'held messages first');
    return true;
  });
  // Heard from the hub: the relay sends both, in order, marked as placed here already.
  s.relay.reachable(HUB);
  await until(() => s.held.count(HUB) === 0);
  const sent = s.calls.filter((c) => c.body['heldAtOrigin'] === true).map((c) => c.body['id']);
  assert.deepEqual(sent.slice(-2), [m1.id, m2.id]);
  // Nothing held: the next message goes straight to the hub.
  const m3 = await s.message();
  await s.submit('bob', m3.id, m3.body);
  assert.equal(s.calls.at(-1)!.body['id'], m3.id);
  assert.equal(s.calls.at(-1)!.body['heldAtOrigin'], undefined);
});

test('a held message the hub refuses comes back to its sender as failed, and the next goes on', async (t) => {
  let refuse = true;
  let up = false;
  const s = await setup((_d, _m, _p, body) => {
    if (!up) return unreachable();
    const b = body as { sender: { deviceId: string } };
    if (refuse && b.sender.deviceId === 'bea') {
      return Promise.reject(new FoyerError('not_member', `${HUB}: not a member`));
    }
    return Promise.resolve({ epoch: 1, duplicate: false });
  });
  t.after(s.stop);
  const first = await s.message();
  await s.fromHub(first.id, first.body, ['bob', 'bea'], ['bob', 'bea']);
  const e1 = await s.message();
  await s.submit('bea', e1.id, e1.body);
  const b1 = await s.message();
  await s.submit('bob', b1.id, b1.body);
  up = true;
  s.relay.reachable(HUB);
  await until(() => s.held.count(HUB) === 0);
  refuse = false;
  assert.deepEqual(s.statuses('bea'), [
    { v: 1, id: e1.id, state: 'failed', domain: HUB, reason: 'not_member' },
  ]);
  assert.deepEqual(s.statuses('bob'), []);
});

test('a message still held after the queue age is given up, and its sender told why', async (t) => {
  // An age below zero: every held message is past it at its first failure.
  const s = await setup(unreachable, -1);
  t.after(s.stop);
  const first = await s.message();
  await s.fromHub(first.id, first.body, ['bob', 'bea'], ['bob', 'bea']);
  const m = await s.message();
  await s.submit('bob', m.id, m.body);
  await until(() => s.held.count(HUB) === 0);
  // Bea had it at once all the same; the rest of the group never will.
  assert.deepEqual(s.ids('bea'), [first.id, m.id]);
  assert.deepEqual(s.statuses('bob'), [
    {
      v: 1,
      id: m.id,
      state: 'failed',
      domain: HUB,
      reason: 'peer_unreachable: network: TypeError',
    },
  ]);
});

function randomId(): string {
  return toBase64Url(randomBytes(16));
}

/** Waits for `done`, polling the relay's progress (it runs on its own). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail('timed out');
    await new Promise((r) => setImmediate(r));
  }
}

test("a hub's status answer for another group is not handed to the device", async (t) => {
  let answerFor: Uint8Array | undefined;
  const s = await setup(async (_domain, method) => {
    assert.equal(method, 'GET');
    return {
      groupId: toBase64Url(answerFor!),
      epoch: 3,
      members: [{ leaf: 0, deviceId: 'bob', user: 'bob', domain: 'chez-bob.example' }],
    };
  });
  t.after(s.stop);
  const m = await s.message();
  await s.fromHub(m.id, m.body, ['bob'], ['bob']);
  answerFor = s.groupId;
  assert.equal((await s.forwarder.status(s.caller('bob'), s.groupId)).epoch, 3);
  answerFor = randomBytes(16);
  await assert.rejects(s.forwarder.status(s.caller('bob'), s.groupId), (e: unknown) => {
    assert.ok(e instanceof FoyerError);
    assert.equal(e.code, 'peer_unreachable');
    return true;
  });
});

test('a held message is not placed with a member device revoked here since the hub listed it', async (t) => {
  const s = await setup(unreachable);
  t.after(s.stop);
  const welcome = await s.message();
  await s.fromHub(welcome.id, welcome.body, ['bob', 'bea', 'ben'], ['bob', 'bea', 'ben']);
  s.revoked.add('ben');
  const m = await s.message();
  await s.submit('bob', m.id, m.body);
  assert.deepEqual(s.ids('bea'), [welcome.id, m.id]);
  assert.deepEqual(s.ids('ben'), [welcome.id]);
});

test('at most maxHeld messages are held for a hub; past it the sender gets mailbox_full', async (t) => {
  const s = await setup(unreachable, 60_000, 2);
  t.after(s.stop);
  const welcome = await s.message();
  await s.fromHub(welcome.id, welcome.body, ['bob', 'bea'], ['bob', 'bea']);
  for (let i = 0; i < 2; i++) {
    const m = await s.message();
    await s.submit('bob', m.id, m.body);
  }
  const over = await s.message();
  await assert.rejects(s.submit('bob', over.id, over.body), (e: unknown) => {
    assert.ok(e instanceof FoyerError);
    assert.equal(e.code, 'mailbox_full');
    return true;
  });
  assert.equal(s.held.count(HUB), 2);
  assert.ok(!s.ids('bea').includes(over.id), 'nothing placed');
});
