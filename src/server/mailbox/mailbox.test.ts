import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mailboxes } from './mailbox.ts';
import { memoryDb } from '../testing/memoryDb.ts';
import { autocommitTx } from '../testing/tx.ts';
import { utf8 } from '../../shared/protocol/bytes.ts';

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

test('a full mailbox drops its oldest item; expired items go', () => {
  const db = memoryDb();
  const mb = new Mailboxes(db, { ttlMs: 1000, quota: 2 });
  for (const id of ['a', 'b', 'c']) mb.enqueue(tx, ['d1'], 'message', group, id, utf8(id), 10);
  assert.deepEqual(
    mb.page('d1', 0, 10).items.map((i) => i.id),
    ['b', 'c'],
  );
  assert.equal(mb.dropped, 1);
  assert.equal(mb.expire(tx, 10 + 1000), 2);
  assert.equal(mb.depth(), 0);
  assert.equal(count(db, 'payloads'), 0);
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
