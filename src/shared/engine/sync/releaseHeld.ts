/** Releasing held items (held.ts) once the user accepted a changed identity key. */
import type { EngineContext } from '../core/context.ts';
import { allConversations } from '../conversations/conversationStore.ts';
import { rec } from '../store/model.ts';
import type { ReceiptBatch } from './application.ts';
import { heldItems, type HeldRecord } from './held.ts';
import { processOne, queueReceipts, type After } from './incoming.ts';

/**
 * Processes held items again (after an identity key was accepted), conversation by
 * conversation and in order; what is still refused stays held. Call with the lock held.
 */
export async function releaseHeld(ctx: EngineContext): Promise<number> {
  let released = 0;
  const receipts: ReceiptBatch = new Map();
  for (const c of await allConversations(ctx.store)) {
    let items = await heldItems(ctx.store, c.id);
    while (items.length > 0) {
      const tx = ctx.store.tx();
      const after: After = [];
      if (!(await processOne(ctx, tx, items[0]!, after, receipts, true))) break;
      items = items.slice(1);
      if (items.length === 0) tx.delete(rec.held(c.id));
      else tx.putRecord(rec.held(c.id), { v: 1, items } satisfies HeldRecord);
      await tx.commit();
      released++;
      for (const fn of after) fn();
    }
  }
  await queueReceipts(ctx, receipts);
  return released;
}
