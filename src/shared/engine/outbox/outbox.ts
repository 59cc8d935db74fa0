/**
 * The persistent outbox. A message is stored here (with its history entry, in one write)
 * before the first attempt to send it, so it survives restarts. Sending:
 * - keeps order per conversation: a conversation's later entries wait for its first one;
 * - never sends twice: the client message id is the hub's idempotency key, and the
 *   ciphertext is stored with the ratchet state it consumed before it is submitted, so a
 *   retry resubmits the very same bytes (re-encrypting, under the same id, only if the
 *   group moved to a new epoch meanwhile — the hub still delivers at most one of them);
 * - retries transient failures with exponential backoff and jitter on a schedule stored with
 *   each entry (outboxSchedule.ts), so a new process does not retry before it is due;
 * - ends a message as `failed`, with the reason, only at a permanent refusal or once it
 *   outlived `maxSendAgeMs` (days): a network outage alone never exhausts a message. A
 *   failed text can be queued again (`requeueFailedText`, the shells' resend).
 * Receipts and metadata ride the same queue but never enter history.
 */
import { encryptMessage, epochOf } from '../../mls/group.ts';
import { toBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { afterTransientFailure, isDue } from './outboxSchedule.ts';
import type { Content } from '../conversations/content.ts';
import { encodeContent } from '../conversations/content.ts';
import type { EngineContext } from '../core/context.ts';
import { resolvePendingCommit } from '../sync/commitFlow.ts';
import {
  findConversation,
  findMessage,
  loadGroup,
  putConversation,
  putGroup,
  putMessage,
} from '../conversations/conversationStore.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import { rec, type DeliveryState } from '../store/model.ts';

export interface OutboxEntry {
  id: string;
  conversationId: string;
  kind: Content['t'];
  content: Uint8Array;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  /** The encrypted message once made, with the epoch it was made in. */
  wire: { epoch: number; message: Uint8Array } | null;
  lastError: string | null;
}

interface OutboxRecord {
  v: 1;
  entries: OutboxEntry[];
}

export interface FlushResult {
  sent: number;
  failed: number;
  waiting: number;
  /** When the earliest waiting entry may be tried again (undefined when none waits). */
  nextAttemptAt: number | undefined;
}

/** Errors that no retry can fix. */
const PERMANENT = new Set([
  'bad_request',
  'payload_too_large',
  'forbidden',
  'not_member',
  'device_revoked',
  'not_found',
  'federation_unavailable',
  'crypto_failed',
  'usage',
]);

async function entries(tx: Pick<StoreTx, 'getRecord'>): Promise<OutboxEntry[]> {
  return (await tx.getRecord<OutboxRecord>(rec.outbox, 'outbox', 1))?.entries ?? [];
}

function putEntries(tx: StoreTx, list: OutboxEntry[]): void {
  const record: OutboxRecord = { v: 1, entries: list };
  tx.putRecord(rec.outbox, record);
}

/** Adds a message to the outbox inside `tx` (the caller commits). */
export async function enqueue(
  ctx: EngineContext,
  tx: StoreTx,
  conversationId: string,
  id: string,
  content: Content,
): Promise<void> {
  const list = await entries(tx);
  list.push({
    id,
    conversationId,
    kind: content.t,
    content: encodeContent(content),
    createdAt: ctx.clock.now(),
    attempts: 0,
    nextAttemptAt: 0,
    wire: null,
    lastError: null,
  });
  putEntries(tx, list);
}

/** Outgoing entries still waiting, oldest first (for shells and tests). */
export async function pendingEntries(ctx: EngineContext): Promise<OutboxEntry[]> {
  return entries(ctx.store);
}

/**
 * Tries every entry that is due (all of them with `force`), in order. Call with the engine
 * lock held.
 */
export async function flushOutbox(ctx: EngineContext, force = false): Promise<FlushResult> {
  const result: FlushResult = { sent: 0, failed: 0, waiting: 0, nextAttemptAt: undefined };
  const blocked = new Set<string>();
  for (const snapshot of await entries(ctx.store)) {
    if (blocked.has(snapshot.conversationId)) {
      result.waiting++;
      continue;
    }
    if (!isDue(snapshot, ctx.clock.now(), force)) {
      blocked.add(snapshot.conversationId);
      result.waiting++;
      result.nextAttemptAt = Math.min(result.nextAttemptAt ?? Infinity, snapshot.nextAttemptAt);
      continue;
    }
    const outcome = await attempt(ctx, snapshot);
    if (outcome.kind === 'sent') {
      result.sent++;
      await finish(ctx, snapshot.id, 'sent', null);
    } else if (outcome.kind === 'failed') {
      result.failed++;
      await finish(ctx, snapshot.id, 'failed', outcome.reason);
    } else {
      const next = await postpone(ctx, snapshot.id, outcome.reason);
      if (next === undefined) {
        result.failed++; // given up: the next message of the conversation may go
      } else {
        blocked.add(snapshot.conversationId);
        result.waiting++;
        result.nextAttemptAt = Math.min(result.nextAttemptAt ?? Infinity, next);
      }
    }
  }
  return result;
}

type Outcome =
  { kind: 'sent' } | { kind: 'retry'; reason: string } | { kind: 'failed'; reason: string };

async function attempt(ctx: EngineContext, entry: OutboxEntry): Promise<Outcome> {
  try {
    for (let round = 0; round < 2; round++) {
      await resolvePendingCommit(ctx, entry.conversationId);
      const wire = await wireFor(ctx, entry.id);
      if (wire === undefined)
        return { kind: 'failed', reason: 'the conversation is no longer active' };
      try {
        await ctx.transport.submit(entry.conversationId, {
          id: entry.id,
          message: toBase64Url(wire.message),
        });
        return { kind: 'sent' };
      } catch (err) {
        // A hub that only takes current-epoch messages: catch up, re-encrypt, try once more.
        if (!(err instanceof FoyerError) || err.code !== 'wrong_epoch' || round > 0) throw err;
        await ctx.dispatch.catchUp();
      }
    }
    return { kind: 'retry', reason: 'the group kept changing' };
  } catch (err) {
    if (!(err instanceof FoyerError)) throw err;
    if (PERMANENT.has(err.code)) return { kind: 'failed', reason: `${err.code}: ${err.message}` };
    return { kind: 'retry', reason: `${err.code}: ${err.message}` };
  }
}

/**
 * The ciphertext for an entry in the group's current epoch, encrypting (and storing it with
 * the advanced ratchet, in one write) only when there is none for this epoch yet.
 */
async function wireFor(
  ctx: EngineContext,
  id: string,
): Promise<{ epoch: number; message: Uint8Array } | undefined> {
  const tx = ctx.store.tx();
  const list = await entries(tx);
  const entry = list.find((e) => e.id === id);
  if (entry === undefined) return undefined;
  const conv = await findConversation(tx, entry.conversationId);
  if (conv === undefined || conv.status !== 'active') return undefined;
  const group = await loadGroup(ctx, tx, entry.conversationId);
  if (entry.wire !== null && entry.wire.epoch === epochOf(group)) return entry.wire;
  const { group: next, message } = await encryptMessage(group, entry.content, ctx.deps);
  entry.wire = { epoch: epochOf(group), message };
  putGroup(tx, entry.conversationId, next);
  putEntries(tx, list);
  await tx.commit();
  return entry.wire;
}

/**
 * Records a transient failure and stores when to try again; ends the entry as failed only
 * when it outlived `maxSendAgeMs`. @returns the next attempt time, undefined when ended
 */
async function postpone(
  ctx: EngineContext,
  id: string,
  reason: string,
): Promise<number | undefined> {
  const tx = ctx.store.tx();
  const list = await entries(tx);
  const entry = list.find((e) => e.id === id);
  if (entry === undefined) return undefined;
  const next = afterTransientFailure(entry, ctx.clock.now(), ctx.tuning, reason);
  if (next.kind === 'expire') {
    await finish(ctx, id, 'failed', next.reason);
    return undefined;
  }
  entry.attempts = next.attempts;
  entry.nextAttemptAt = next.nextAttemptAt;
  entry.lastError = reason;
  putEntries(tx, list);
  await tx.commit();
  return entry.nextAttemptAt;
}

/** Removes an entry and records the outcome on its message (text) or reports it (others). */
async function finish(
  ctx: EngineContext,
  id: string,
  state: 'sent' | 'failed',
  reason: string | null,
): Promise<void> {
  const tx = ctx.store.tx();
  const list = await entries(tx);
  const entry = list.find((e) => e.id === id);
  if (entry === undefined) return;
  putEntries(
    tx,
    list.filter((e) => e.id !== id),
  );
  let emitState: DeliveryState | undefined;
  if (entry.kind === 'text') {
    const m = await findMessage(tx, entry.conversationId, id);
    if (m !== undefined && (m.state === 'pending' || state === 'failed')) {
      m.state = state;
      m.reason = reason;
      putMessage(tx, m);
      emitState = state;
    }
    const conv = await findConversation(tx, entry.conversationId);
    if (state === 'sent' && conv !== undefined) {
      conv.sentSinceOwnCommit++;
      await putConversation(tx, conv);
    }
  }
  await tx.commit();
  if (emitState !== undefined) {
    ctx.events.emit({
      type: 'message_state',
      conversationId: entry.conversationId,
      messageId: id,
      state: emitState,
      ...(reason === null ? {} : { reason }),
    });
  } else if (state === 'failed') {
    ctx.events.emit({
      type: 'error',
      code: 'network',
      message: `could not send a ${entry.kind} message: ${reason ?? 'unknown reason'}`,
      conversationId: entry.conversationId,
    });
  }
}

/** Fails every waiting entry of a conversation this device left or was removed from. */
export async function dropConversationEntries(
  tx: StoreTx,
  conversationId: string,
): Promise<string[]> {
  const list = await entries(tx);
  const dropped = list.filter((e) => e.conversationId === conversationId);
  if (dropped.length > 0)
    putEntries(
      tx,
      list.filter((e) => e.conversationId !== conversationId),
    );
  return dropped.filter((e) => e.kind === 'text').map((e) => e.id);
}
