import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directWrite, type WriteTx } from './tx.ts';
import { memoryDb } from '../testing/memoryDb.ts';
import { LinkStore } from '../links/store.ts';

test('directWrite commits all of its writes or none', () => {
  const db = memoryDb();
  const links = new LinkStore(db);
  const rid = (n: number) => new Uint8Array(32).fill(n);
  directWrite(db, (tx) => links.insert(tx, rid(1), new Uint8Array(1), 10));
  assert.throws(() =>
    directWrite(db, (tx) => {
      links.insert(tx, rid(2), new Uint8Array(1), 10);
      throw new Error('refused halfway');
    }),
  );
  assert.equal(links.count(), 1);
  assert.ok(links.get(rid(2)) === undefined, 'the refused write left nothing');
});

test('a store write does not type-check without a write handle', () => {
  const links = new LinkStore(memoryDb());
  const write = (tx: WriteTx) => links.setReply(tx, new Uint8Array(32), new Uint8Array(1));
  // Type checks, not run: a plain object is not a WriteTx (`npm run typecheck` fails if it were).
  const unchecked = () => {
    // @ts-expect-error a write handle comes from the writer or directWrite only
    write({});
    // @ts-expect-error nor is undefined
    links.deleteExpired(undefined, 0);
  };
  assert.equal(typeof unchecked, 'function');
});
