/**
 * Typed write handles. Every store method that writes takes a `WriteTx`, and only two things
 * make one: the writer's batch (src/server/writer.ts, one group commit per batch) and
 * `directWrite`, which names the writes that must not go through the writer. A write from
 * anywhere else does not type-check, so "every acknowledged write is group-committed" is
 * checked by the compiler rather than by review.
 */
import type { Db } from './sqlite.ts';

declare const writeBrand: unique symbol;

/** Evidence that the code runs inside a write transaction. Carries nothing at run time. */
export interface WriteTx {
  readonly [writeBrand]: true;
}

const TX = Object.freeze({}) as WriteTx;

/** For the writer alone: the handle of the batch transaction it opened. */
export function batchTx(): WriteTx {
  return TX;
}

/**
 * Runs `fn` in its own IMMEDIATE transaction, outside the server's group commit. For writes
 * that cannot or must not wait for the server's writer: the admin commands, which run in
 * their own process beside the server (`foyer invite create`, `foyer user remove`), and the
 * server's own start-up, before it serves anyone. Say why at each call.
 */
export function directWrite<T>(db: Db, fn: (tx: WriteTx) => T): T {
  return db.transaction(() => fn(TX)).immediate();
}
