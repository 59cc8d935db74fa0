/** Writing and reading messages: queue a text, list history, read receipts, typing. */
import { encryptMessage } from '../../mls/group.ts';
import { toBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { encodeContent, MAX_TEXT_CHARS } from './content.ts';
import type { EngineContext } from '../core/context.ts';
import {
  appendMessage,
  findMessage,
  getActiveConversation,
  getConversation,
  historyIds,
  loadGroup,
  putConversation,
  putGroup,
  putMessage,
} from './conversationStore.ts';
import { newMessageId } from '../core/ids.ts';
import { messageView, type MessageRecord, type MessageView } from '../store/model.ts';
import { enqueue } from '../outbox/outbox.ts';

/**
 * Stores a new text message in history and the outbox, in one write, before any attempt
 * to send it. Call with the engine lock held. @throws FoyerError usage, not_found, not_member
 */
export async function queueText(
  ctx: EngineContext,
  conversationId: string,
  text: string,
): Promise<MessageRecord> {
  if (text.length === 0 || text.length > MAX_TEXT_CHARS) {
    throw new FoyerError('usage', `a message has 1 to ${MAX_TEXT_CHARS} characters`);
  }
  const tx = ctx.store.tx();
  const conv = await getActiveConversation(tx, conversationId);
  const a = ctx.account;
  const now = ctx.clock.now();
  const m: MessageRecord = {
    v: 2,
    id: newMessageId(),
    conversationId,
    sender: { user: a.user, domain: a.domain, deviceId: a.deviceId },
    outgoing: true,
    text,
    sentAt: now,
    receivedAt: now,
    state: 'pending',
    reason: null,
    deliveredTo: [],
    readBy: [],
  };
  await appendMessage(tx, m);
  await enqueue(ctx, tx, conversationId, m.id, { t: 'text', id: m.id, ts: now, text });
  conv.lastActivityAt = now;
  await putConversation(tx, conv);
  await tx.commit();
  return m;
}

/** History, oldest first; `limit` keeps the most recent ones. */
export async function listMessages(
  ctx: EngineContext,
  conversationId: string,
  limit?: number,
): Promise<MessageView[]> {
  await getConversation(ctx.store, conversationId);
  let ids = await historyIds(ctx.store, conversationId);
  if (limit !== undefined) ids = ids.slice(-limit);
  const out: MessageView[] = [];
  for (const id of ids) {
    const m = await findMessage(ctx.store, conversationId, id);
    if (m !== undefined) out.push(messageView(m));
  }
  return out;
}

/**
 * Marks every received message of a conversation read and queues a read receipt for
 * their senders. Call with the engine lock held. @returns how many were marked
 */
export async function markConversationRead(
  ctx: EngineContext,
  conversationId: string,
): Promise<number> {
  const tx = ctx.store.tx();
  const conv = await getConversation(tx, conversationId);
  const ids: string[] = [];
  for (const id of await historyIds(tx, conversationId)) {
    const m = await findMessage(tx, conversationId, id);
    if (m !== undefined && !m.outgoing && m.state === 'received') {
      m.state = 'read';
      putMessage(tx, m);
      ids.push(id);
    }
  }
  conv.unread = 0;
  await putConversation(tx, conv);
  if (ids.length > 0 && conv.status === 'active') {
    await enqueue(ctx, tx, conversationId, newMessageId(), { t: 'receipt', kind: 'read', ids });
  }
  await tx.commit();
  return ids.length;
}

/** Sends a typing notice now (ephemeral: not queued, not retried). Lock held. */
export async function sendTypingNotice(ctx: EngineContext, conversationId: string): Promise<void> {
  const group = await loadGroup(ctx, ctx.store, conversationId);
  const { group: next, message } = await encryptMessage(
    group,
    encodeContent({ t: 'typing' }),
    ctx.deps,
  );
  // The advanced ratchet is stored before sending, as for every message (no key reuse).
  const tx = ctx.store.tx();
  putGroup(tx, conversationId, next);
  await tx.commit();
  await ctx.transport.submit(conversationId, { id: newMessageId(), message: toBase64Url(message) });
}

/**
 * Queues failed outgoing texts again, under their own ids (the hub's idempotency key, so a
 * text that did reach the hub before failing here is still delivered at most once), with a
 * fresh age. `ids` undefined: every failed text of the conversation. Call with the engine
 * lock held. @returns the messages queued again
 * @throws FoyerError not_found (no such message), usage (not a failed text of this user),
 *   not_member (the conversation is no longer active)
 */
export async function requeueFailedText(
  ctx: EngineContext,
  conversationId: string,
  ids?: string[],
): Promise<MessageRecord[]> {
  const tx = ctx.store.tx();
  await getActiveConversation(tx, conversationId);
  const requeued: MessageRecord[] = [];
  for (const id of ids ?? (await historyIds(tx, conversationId))) {
    const m = await findMessage(tx, conversationId, id);
    const failedOwn = m !== undefined && m.outgoing && m.state === 'failed';
    if (!failedOwn) {
      if (ids === undefined) continue; // all failed ones: skip the others
      if (m === undefined) throw new FoyerError('not_found', 'no such message');
      throw new FoyerError('usage', 'that message is not a failed message of yours');
    }
    m.state = 'pending';
    m.reason = null;
    putMessage(tx, m);
    await enqueue(ctx, tx, conversationId, m.id, {
      t: 'text',
      id: m.id,
      ts: m.sentAt,
      text: m.text,
    });
    requeued.push(m);
  }
  if (requeued.length > 0) await tx.commit();
  return requeued;
}
