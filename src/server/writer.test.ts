import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BATCH_JOBS, Writer } from './writer.ts';
import { memoryDb } from './testing/memoryDb.ts';

test('jobs of one turn share a transaction; a failing job rolls back only itself', async () => {
  const db = memoryDb();
  const writer = new Writer(db, { onAbort: () => assert.fail('no batch should abort') });
  const insert = (name: string) => () =>
    db.prepare('INSERT INTO counters (name, value) VALUES (?, 1)').run(name).changes;
  const committed: string[] = [];
  const a = writer.run(insert('a'));
  const bad = writer.run(() => {
    insert('half')();
    throw new Error('refused');
  });
  const c = writer.run(insert('c'));
  writer.onCommit(() => committed.push('after'));
  assert.equal(await a, 1);
  await assert.rejects(bad, /refused/);
  assert.equal(await c, 1);
  assert.equal(writer.batches, 1);
  assert.deepEqual(committed, ['after']);
  const names = (
    db.prepare('SELECT name FROM counters ORDER BY name').all() as Array<{ name: string }>
  ).map((r) => r.name);
  assert.deepEqual(names, ['a', 'c', 'mailbox_seq']);
});

test('a batch that cannot commit rejects every job and calls onAbort', async () => {
  const db = memoryDb();
  let aborted = 0;
  const writer = new Writer(db, { onAbort: () => aborted++ });
  db.close(); // every statement now throws, including BEGIN
  await assert.rejects(writer.run(() => 1));
  assert.equal(aborted, 1);
});

test('a burst of jobs is cut into bounded batches, run in order', async () => {
  const db = memoryDb();
  const writer = new Writer(db, { onAbort: () => assert.fail('no batch should abort') });
  const order: number[] = [];
  const n = MAX_BATCH_JOBS * 2 + 1;
  const jobs = Array.from({ length: n }, (_, i) => writer.run(() => order.push(i)));
  await Promise.all(jobs);
  assert.equal(writer.batches, 3);
  assert.equal(writer.jobs, n);
  assert.deepEqual(
    order,
    Array.from({ length: n }, (_, i) => i),
  );
});
