import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mailboxes } from './mailbox.ts';
import { memoryDb } from '../testing/memoryDb.ts';
import { autocommitTx } from '../testing/tx.ts';
import { utf8 } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';

const group = new Uint8Array(16).fill(7);
const tx = autocommitTx();
const DAY = 24 * 3600 * 1000;

function count(db: ReturnType<typeof memoryDb>, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

test('one payload fans out to several mailboxes, pages in order, and is freed on the last ack', () => {
  const db = memoryDb();
  const mb = new Mailboxes(db, { ttlMs: DAY, quota: 100 });
  mb.enqueue(tx, ['d1', 'd2'], 'message', group, 'm1', utf8('one'), 1);
  mb.enqueue(tx, ['d1'], 'message', group, 'm2', utf8('two'), 2);
  assert.equal(count(db, 'payloads'), 2);
  const page = mb.page('d1', 0, 10);
  assert.deepEqual(
    page.items.map((i) => i.id),
    ['m1', 'm2'],
  );
  assert.ok(page.items[0]!.seq < page.items[1]!.seq);
  assert.equal(mb.page('d1', page.items[0]!.seq, 10).items.length, 1);

  assert.equal(mb.ack(tx, 'd1', page.cursor), 2);
  assert.equal(count(db, 'payloads'), 1, 'the payload d2 still needs stays');
  assert.equal(mb.page('d2', 0, 10).items[0]?.id, 'm1');
  mb.ack(tx, 'd2', Number.MAX_SAFE_INTEGER);
  assert.equal(count(db, 'payloads'), 0);
  assert.equal(mb.depth(), 0);
});

test('sequence numbers never go back, even after a restart with empty mailboxes', () => {
  const db = memoryDb();
  const mb = new Mailboxes(db, { ttlMs: DAY, quota: 100 });
  const first = mb.enqueue(tx, ['d1'], 'message', group, 'm1', utf8('x'), 1).get('d1')!.seq;
  mb.ack(tx, 'd1', first);
  const again = new Mailboxes(db, { ttlMs: DAY, quota: 100 });
  const second = again.enqueue(tx, ['d1'], 'message', group, 'm2', utf8('y'), 2).get('d1')!.seq;
  assert.ok(second > first);
});

test('a full mailbox refuses the message for every recipient and keeps what it holds; expired items go', () => {
  const db = memoryDb();
  const mb = new Mailboxes(db, { ttlMs: 1000, quota: 2 });
  for (const id of ['a', 'b']) mb.enqueue(tx, ['d1'], 'message', group, id, utf8(id), 10);
  assert.throws(
    () => mb.enqueue(tx, ['d2', 'd1'], 'message', group, 'c', utf8('c'), 10),
    (e: FoyerError) => e.code === 'mailbox_full',
  );
  assert.deepEqual(
    mb.page('d1', 0, 10).items.map((i) => i.id),
    ['a', 'b'],
  );
  assert.deepEqual(mb.page('d2', 0, 10).items, [], 'nothing reached the other recipient');
  assert.equal(count(db, 'payloads'), 2);
  assert.equal(mb.refused, 1);
  assert.equal(mb.expire(tx, 10 + 1000), 2);
  assert.equal(mb.depth(), 0);
  assert.equal(count(db, 'payloads'), 0);
});

test('quotas count bytes per device and per user; acks give the room back', () => {
  const db = memoryDb();
  db.exec(`INSERT INTO users (id, name, identity_key, created_at) VALUES (1, 'u', x'00', 0);
    INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES
      ('a1', 1, x'00', x'00', 0), ('a2', 1, x'00', x'00', 0)`);
  const mb = new Mailboxes(db, { ttlMs: DAY, quota: 1000, deviceBytes: 1000, userBytes: 1100 });
  const kb = new Uint8Array(400);
  mb.enqueue(tx, ['a1'], 'message', group, 'm1', kb, 1);
  mb.enqueue(tx, ['a1'], 'message', group, 'm2', kb, 1);
  const full = (e: FoyerError): boolean => e.code === 'mailbox_full';
  assert.throws(() => mb.enqueue(tx, ['a1'], 'message', group, 'm3', kb, 1), full, 'device bytes');
  // a2 has room of its own, but the user as a whole would hold 800 + 400 > 1100.
  assert.throws(() => mb.enqueue(tx, ['a2'], 'message', group, 'm4', kb, 1), full, 'user bytes');
  assert.equal(mb.depthBytes(), 800);
  mb.ack(tx, 'a1', mb.page('a1', 0, 1).cursor);
  assert.equal(mb.depthBytes(), 400);
  mb.enqueue(tx, ['a2'], 'message', group, 'm4', kb, 1);
  // The counts survive a restart.
  const again = new Mailboxes(db, { ttlMs: DAY, quota: 1000, deviceBytes: 1000, userBytes: 1100 });
  assert.equal(again.depthBytes(), 800);
  assert.throws(() => again.enqueue(tx, ['a1', 'a2'], 'message', group, 'm5', kb, 1), full);
});

test('a page stops at its byte bound but always carries one item', () => {
  const db = memoryDb();
  const mb = new Mailboxes(db, { ttlMs: DAY, quota: 1000 });
  for (let i = 0; i < 5; i++)
    mb.enqueue(tx, ['d1'], 'message', group, `m${i}`, new Uint8Array(300), 1);
  const page = mb.page('d1', 0, 500, 700);
  assert.deepEqual(
    page.items.map((i) => i.id),
    ['m0', 'm1'],
  );
  assert.equal(page.more, true);
  const one = mb.page('d1', 0, 500, 10);
  assert.equal(one.items.length, 1, 'an item larger than the bound still comes, alone');
  const rest = mb.page('d1', page.cursor, 500, 10_000);
  assert.equal(rest.items.length, 3);
  assert.equal(rest.more, false);
});

test('a storage budget that is reached refuses the message and writes nothing', () => {
  const db = memoryDb();
  let room = 1000;
  const budget = {
    take(size: number) {
      if (size > room) throw new FoyerError('storage_full', 'full');
      room -= size;
    },
  };
  const mb = new Mailboxes(db, { ttlMs: DAY, quota: 1000, budget });
  mb.enqueue(tx, ['d1'], 'message', group, 'm1', new Uint8Array(500), 1);
  assert.throws(
    () => mb.enqueue(tx, ['d1'], 'message', group, 'm2', new Uint8Array(500), 1),
    (e: FoyerError) => e.code === 'storage_full',
  );
  assert.equal(count(db, 'payloads'), 1);
  assert.equal(mb.depth(), 1);
});

test('pushes wait for publishBatch, come one call per device, and stop after unsubscribe', () => {
  const db = memoryDb();
  const mb = new Mailboxes(db, { ttlMs: DAY, quota: 10 });
  const calls: string[][] = [];
  const off = mb.subscribe('d1', (items) =>
    calls.push(items.map((i) => (JSON.parse(i.json) as { id: string }).id)),
  );
  mb.publish(mb.enqueue(tx, ['d1', 'd2'], 'message', group, 'm1', utf8('x'), 1));
  mb.publish(mb.enqueue(tx, ['d1'], 'message', group, 'm2', utf8('y'), 2));
  assert.deepEqual(calls, [], 'nothing is pushed before the batch is committed');
  mb.publishBatch();
  assert.deepEqual(calls, [['m1', 'm2']]);
  const pushed = JSON.parse(JSON.stringify(mb.page('d1', 0, 10).items[0]));
  off();
  mb.publish(mb.enqueue(tx, ['d1'], 'message', group, 'm3', utf8('z'), 3));
  mb.publishBatch();
  assert.equal(calls.length, 1);
  assert.equal(pushed.id, 'm1');
});

test('a pushed item is the same JSON a page returns', () => {
  const db = memoryDb();
  const mb = new Mailboxes(db, { ttlMs: DAY, quota: 10 });
  const item = mb.enqueue(tx, ['d1'], 'welcome', group, 'w1', utf8('hello'), 5).get('d1')!;
  assert.deepEqual(JSON.parse(item.json), mb.page('d1', 0, 1).items[0]);
});

test('a deferred ack hides items at once and deletes them with the next batch', () => {
  const db = memoryDb();
  const mb = new Mailboxes(db, { ttlMs: DAY, quota: 10 });
  const seq = mb.enqueue(tx, ['d1', 'd2'], 'message', group, 'm1', utf8('x'), 1).get('d1')!.seq;
  mb.deferAck('d1', seq);
  assert.deepEqual(mb.page('d1', 0, 10).items, []);
  assert.equal(count(db, 'mailbox'), 2, 'not applied yet');
  mb.applyDeferredAcks(tx);
  assert.equal(mb.hasDeferredAcks(), false);
  assert.equal(count(db, 'mailbox'), 1);
  assert.equal(count(db, 'payloads'), 1, 'd2 still needs the payload');
});
