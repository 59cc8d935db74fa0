/**
 * The commit flow: build a commit → store it as pending → submit it to the hub → adopt the
 * new state only once the hub accepted it.
 *
 * - `wrong_epoch`: another member's commit won this epoch. Drop ours, process what arrived
 *   in the mailbox (the winning commit is there), then ask the builder again — it decides
 *   anew, so a change the winner already made is not made twice — and retry (bounded).
 * - A network failure leaves the outcome unknown: the pending commit stays stored and is
 *   submitted again (same id, same bytes; the hub deduplicates) before anything else
 *   touches that group — so a crash or a lost reply never leaves this device one epoch
 *   behind the others.
 */
import { decodeGroup, encodeGroup, type CommitOutput, type Group } from '../../mls/group.ts';
import { toBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { EngineContext } from '../core/context.ts';
import {
  getActiveConversation,
  loadGroup,
  memberAddresses,
  putConversation,
} from '../conversations/conversationStore.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import { newMessageId } from '../core/ids.ts';
import { conversationView, messageView, rec, type ConversationRecord } from '../store/model.ts';
import { recordSystemLines } from '../conversations/systemLines.ts';
import { clearConflict } from '../conversations/conflict.ts';
import { keepPresent } from '../conversations/presence.ts';

interface PendingCommit {
  v: 1;
  id: string;
  commit: Uint8Array;
  welcome: Uint8Array | null;
  groupInfo: Uint8Array;
  /** The encoded state to adopt once accepted. */
  state: Uint8Array;
  epoch: number;
}

export interface CommitPlan {
  output: CommitOutput & { welcome?: Uint8Array };
  /** Extra bookkeeping written with the new state once the hub accepted the commit. */
  onAccepted?: (tx: StoreTx, conv: ConversationRecord) => Promise<void> | void;
}

/** Decides what to commit on the current state; null when there is nothing to do. */
export type CommitBuilder = (group: Group, conv: ConversationRecord) => Promise<CommitPlan | null>;

/**
 * Runs the commit flow for one conversation. Call with the engine lock held.
 * @returns true when a commit was accepted, false when the builder found nothing to do.
 * @throws FoyerError wrong_epoch after too many lost races, or at once when the hub ordered a
 *   commit this device refused (in conflict); network (outcome unknown, the
 *   commit stays pending); anything the builder or the hub refused.
 */
export async function runCommit(
  ctx: EngineContext,
  conversationId: string,
  build: CommitBuilder,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    await resolvePendingCommit(ctx, conversationId);
    const conv = await getActiveConversation(ctx.store, conversationId);
    const group = await loadGroup(ctx, ctx.store, conversationId);
    const plan = await build(group, conv);
    if (plan === null) return false;
    const { output } = plan;
    const pending: PendingCommit = {
      v: 1,
      id: newMessageId(),
      commit: output.commit,
      welcome: output.welcome ?? null,
      groupInfo: output.groupInfo,
      state: encodeGroup(output.group),
      epoch: output.epoch,
    };
    await ctx.store.tx().putRecord(rec.pendingCommit(conversationId), pending).commit();
    let outcome: 'accepted' | 'wrong_epoch';
    try {
      outcome = await submitPending(ctx, conversationId, pending);
    } catch (err) {
      // A hub that applied a removal this device refused counts it out of the group.
      if (err instanceof FoyerError && err.code === 'not_member') {
        await refuseWhileInConflict(ctx, conversationId);
      }
      throw err;
    }
    if (outcome === 'accepted') {
      await adopt(ctx, conversationId, pending, plan.onAccepted);
      ctx.stats.commitsAccepted++;
      return true;
    }
    ctx.stats.wrongEpochRetries++;
    if (attempt >= ctx.tuning.maxCommitAttempts) {
      throw new FoyerError(
        'wrong_epoch',
        `other members kept changing the conversation; gave up after ${attempt} attempts`,
      );
    }
    await ctx.dispatch.catchUp(); // the winning commit waits in the mailbox
    await refuseWhileInConflict(ctx, conversationId);
  }
}

/**
 * After a lost race, the winning commit has been processed: if the conversation is still in
 * conflict, the commit the hub ordered for this epoch is the one this device refused, and
 * no commit of ours can follow it (docs/groups.md, "A conversation in conflict"). The same
 * holds when the hub refuses our commit with `not_member` while we are in conflict.
 * @throws FoyerError wrong_epoch with details.conflictRule
 */
async function refuseWhileInConflict(ctx: EngineContext, conversationId: string): Promise<void> {
  const conv = await getActiveConversation(ctx.store, conversationId);
  if (conv.conflict === undefined) return;
  throw new FoyerError(
    'wrong_epoch',
    'this conversation is in conflict: the server ordered a change to the group that this ' +
      `device refused (${conv.conflict}), so no change can follow it here`,
    { conflictRule: conv.conflictRule ?? null },
  );
}

/** Whether `err` is runCommit's refusal in a conversation whose hub ordered a refused commit. */
export function isStuckInConflict(err: unknown): boolean {
  return (
    err instanceof FoyerError &&
    err.code === 'wrong_epoch' &&
    err.details?.['conflictRule'] !== undefined
  );
}

/**
 * Settles a commit left pending by a lost reply or a crash: submits it again and adopts it
 * when the hub has it. Call with the engine lock held. @throws FoyerError network
 */
export async function resolvePendingCommit(
  ctx: EngineContext,
  conversationId: string,
): Promise<void> {
  const pending = await ctx.store.getRecord<PendingCommit>(
    rec.pendingCommit(conversationId),
    'pending commit',
    1,
  );
  if (pending === undefined) return;
  if ((await submitPending(ctx, conversationId, pending)) === 'accepted') {
    await adopt(ctx, conversationId, pending, undefined);
  }
}

async function submitPending(
  ctx: EngineContext,
  conversationId: string,
  p: PendingCommit,
): Promise<'accepted' | 'wrong_epoch'> {
  try {
    await ctx.transport.submit(conversationId, {
      id: p.id,
      message: toBase64Url(p.commit),
      ...(p.welcome === null ? {} : { welcome: toBase64Url(p.welcome) }),
      groupInfo: toBase64Url(p.groupInfo),
    });
    return 'accepted';
  } catch (err) {
    if (err instanceof FoyerError && err.code === 'network') throw err;
    // Refused for good (wrong epoch, not a member, malformed): the commit will never count.
    await ctx.store.tx().delete(rec.pendingCommit(conversationId)).commit();
    if (err instanceof FoyerError && err.code === 'wrong_epoch') return 'wrong_epoch';
    throw err;
  }
}

async function adopt(
  ctx: EngineContext,
  conversationId: string,
  p: PendingCommit,
  onAccepted: CommitPlan['onAccepted'],
): Promise<void> {
  const tx = ctx.store.tx();
  const conv = await getActiveConversation(tx, conversationId);
  const group = decodeGroup(p.state, ctx.deps);
  const previous = await loadGroup(ctx, tx, conversationId);
  const lines = await recordSystemLines(ctx, tx, conv, previous, group);
  const before = conv.members.join(',');
  conv.members = memberAddresses(group);
  keepPresent(conv, previous, group);
  conv.lastOwnCommitAt = ctx.clock.now();
  conv.sentSinceOwnCommit = 0;
  // The hub ordered our commit: any refused commit of this epoch is out of the group's history.
  const conflictCleared = clearConflict(conv);
  tx.put(rec.group(conversationId), p.state).delete(rec.pendingCommit(conversationId));
  if (onAccepted !== undefined) await onAccepted(tx, conv);
  await putConversation(tx, conv);
  await tx.commit();
  for (const m of lines) {
    ctx.events.emit({ type: 'message', conversationId, message: messageView(m) });
  }
  if (conv.members.join(',') !== before || lines.length > 0 || conflictCleared) {
    ctx.events.emit({ type: 'conversation_updated', conversation: conversationView(conv) });
  }
}
