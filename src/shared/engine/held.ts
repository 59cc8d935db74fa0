/**
 * Items held back because a member's identity key changed. MLS refuses a commit that brings
 * in a credential with the new key, and every later message of that conversation builds on
 * that commit, so they wait here — in order, out of the server's mailbox, encrypted like
 * everything else — until the user accepts the new key (then they are processed) or leaves.
 */
import type { MailboxItem } from '../protocol/api.ts';
import type { EngineContext } from './context.ts';
import { allConversations } from './conversationStore.ts';
import type { StoreTx } from './encryptedStore.ts';
import { processOne, queueReceipts, type After } from './incoming.ts';
import { rec } from './model.ts';
import type { ReceiptBatch } from './application.ts';

interface HeldRecord {
  v: 1;
  items: MailboxItem[];
}

type Reader = Pick<StoreTx, 'getRecord'>;

async function held(r: Reader, conversationId: string): Promise<MailboxItem[]> {
  return (await r.getRecord<HeldRecord>(rec.held(conversationId), 'held items', 1))?.items ?? [];
}

export async function hasHeld(r: Reader, conversationId: string): Promise<boolean> {
  return (await held(r, conversationId)).length > 0;
}

export async function holdItem(tx: StoreTx, item: MailboxItem): Promise<void> {
  const items = await held(tx, item.groupId);
  const record: HeldRecord = { v: 1, items: [...items, item] };
  tx.putRecord(rec.held(item.groupId), record);
}

/** How many items wait in each conversation that holds some. */
export async function heldCounts(ctx: EngineContext): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const c of await allConversations(ctx.store)) {
    const n = (await held(ctx.store, c.id)).length;
    if (n > 0) out.set(c.id, n);
  }
  return out;
}

/**
 * Processes held items again (after an identity key was accepted), conversation by
 * conversation and in order; what is still refused stays held. Call with the lock held.
 */
export async function releaseHeld(ctx: EngineContext): Promise<number> {
  let released = 0;
  const receipts: ReceiptBatch = new Map();
  for (const c of await allConversations(ctx.store)) {
    let items = await held(ctx.store, c.id);
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
