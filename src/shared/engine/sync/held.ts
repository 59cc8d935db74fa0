/**
 * Items held back because a member's identity key changed. MLS refuses a commit that brings
 * in a credential with the new key, and every later message of that conversation builds on
 * that commit, so they wait here — in order, out of the server's mailbox, encrypted like
 * everything else — until the user accepts the new key (then they are processed) or leaves.
 */
import type { MailboxItem } from '../../protocol/api.ts';
import type { EngineContext } from '../core/context.ts';
import { allConversations } from '../conversations/conversationStore.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import { rec } from '../store/model.ts';

export interface HeldRecord {
  v: 1;
  items: MailboxItem[];
}

type Reader = Pick<StoreTx, 'getRecord'>;

/** The items held for a conversation, in mailbox order. */
export async function heldItems(r: Reader, conversationId: string): Promise<MailboxItem[]> {
  return (await r.getRecord<HeldRecord>(rec.held(conversationId), 'held items', 1))?.items ?? [];
}

export async function hasHeld(r: Reader, conversationId: string): Promise<boolean> {
  return (await heldItems(r, conversationId)).length > 0;
}

export async function holdItem(tx: StoreTx, item: MailboxItem): Promise<void> {
  const items = await heldItems(tx, item.groupId);
  const record: HeldRecord = { v: 1, items: [...items, item] };
  tx.putRecord(rec.held(item.groupId), record);
}

/** How many items wait in each conversation that holds some. */
export async function heldCounts(ctx: EngineContext): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const c of await allConversations(ctx.store)) {
    const n = (await heldItems(ctx.store, c.id)).length;
    if (n > 0) out.set(c.id, n);
  }
  return out;
}
