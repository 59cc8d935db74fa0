/**
 * Processing what arrives in this device's mailbox, in seq order, exactly once:
 * - each item's effects (new MLS state, history, conversation changes) are stored in one
 *   write together with the mailbox cursor, so a crash either keeps all of them or none,
 *   and an item at or below the cursor is never processed again;
 * - the server is told to delete items (ack) only after that write;
 * - an item that cannot be processed (forged, for a group this device left, too old) is
 *   reported as an `error` event and skipped, so one bad item cannot block the mailbox;
 *   a network failure stops processing and leaves the rest for the next attempt.
 */
import type { MailboxItem } from '../../protocol/api.ts';
import {
  bannedLeaves,
  myLeafOf,
  groupIdOf,
  joinFromWelcome,
  processMessage,
  welcomeKeyPackageRefs,
  type Processed,
} from '../../mls/group.ts';
import { inspectMessage } from '../../mls/inspect.ts';
import { fromBase64Url, toBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { failMessages, handleApplication, type ReceiptBatch } from './application.ts';
import { resolvePendingCommit } from './commitFlow.ts';
import { handleStatus } from './status.ts';
import type { EngineContext } from '../core/context.ts';
import {
  findConversation,
  loadGroup,
  memberAddresses,
  putConversation,
  putGroup,
} from '../conversations/conversationStore.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import { newMessageId } from '../core/ids.ts';
import { consumeKeyPackage, findKeyPackage } from '../devices/keyPackageStock.ts';
import { conversationView, messageView, rec, type ConversationRecord } from '../store/model.ts';
import { hasHeld, holdItem } from './held.ts';
import { readSettings } from '../settings/settingsStore.ts';
import { hiddenByBlock, meOf, onlyMine, shown } from '../settings/visibility.ts';
import { dropConversationEntries, enqueue } from '../outbox/outbox.ts';
import { policyChanged, recordSystemLines } from '../conversations/systemLines.ts';
import { clearConflict, markConflict } from '../conversations/conflict.ts';
import { keepPresent, markHeard, seedOnJoin } from '../conversations/presence.ts';

const PAGE_SIZE = 100;

interface CursorRecord {
  v: 1;
  seq: number;
}

/** The seq of the last mailbox item whose effects are stored. */
export async function readCursor(ctx: EngineContext): Promise<number> {
  return (await ctx.store.getRecord<CursorRecord>(rec.cursor, 'cursor', 1))?.seq ?? 0;
}

/** Deferred work of one item: events to emit once its write landed. */
export type After = Array<() => void>;

/**
 * Fetches and processes every waiting mailbox item over HTTP, acknowledging as it goes.
 * Call with the engine lock held. @returns how many items were processed
 */
export async function syncMailboxLocked(ctx: EngineContext): Promise<number> {
  let processed = 0;
  for (;;) {
    const cursor = await readCursor(ctx);
    const page = await ctx.transport.mailbox(cursor, PAGE_SIZE);
    if (page.items.length === 0) return processed;
    const last = await processItemsLocked(ctx, page.items);
    processed += page.items.filter((i) => i.seq > cursor).length;
    await ctx.transport.ack(last);
    if (!page.more) return processed;
  }
}

export async function processItemsLocked(
  ctx: EngineContext,
  items: MailboxItem[],
): Promise<number> {
  let cursor = await readCursor(ctx);
  const receipts: ReceiptBatch = new Map();
  for (const item of [...items].sort((a, b) => a.seq - b.seq)) {
    if (item.seq <= cursor) continue;
    const tx = ctx.store.tx();
    const after: After = [];
    await processOne(ctx, tx, item, after, receipts, false);
    const record: CursorRecord = { v: 1, seq: item.seq };
    tx.putRecord(rec.cursor, record);
    await tx.commit();
    cursor = item.seq;
    for (const fn of after) fn();
  }
  await queueReceipts(ctx, receipts);
  return cursor;
}

/**
 * Processes one item into `tx` (the caller commits). An item refused because a member's
 * identity key changed is held (held.ts) instead of dropped, as is every later item of
 * the same conversation, until the user decides. Other failures drop the item's writes
 * and are reported. @returns false when the item was held again (from `fromHeld`)
 */
export async function processOne(
  ctx: EngineContext,
  tx: StoreTx,
  item: MailboxItem,
  after: After,
  receipts: ReceiptBatch,
  fromHeld: boolean,
): Promise<boolean> {
  if (!fromHeld && item.kind === 'message' && (await hasHeld(tx, item.groupId))) {
    await holdItem(tx, item);
    return true;
  }
  const refusalsBefore = ctx.trust.refusals;
  const itemTx = ctx.store.tx();
  try {
    await handleItem(ctx, itemTx, item, after, receipts);
    itemTx.mergeInto(tx);
    return true;
  } catch (err) {
    if (err instanceof FoyerError && err.code === 'network') throw err;
    after.length = 0;
    if (item.kind === 'message' && ctx.trust.refusals > refusalsBefore) {
      if (fromHeld) return false;
      await holdItem(tx, item);
      after.push(() =>
        ctx.events.emit({
          type: 'error',
          code: 'identity_changed',
          message:
            'a member’s identity key changed: this conversation’s messages wait until you accept the new key',
          conversationId: item.groupId,
        }),
      );
      return true;
    }
    const code = err instanceof FoyerError ? err.code : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    after.push(() =>
      ctx.events.emit({
        type: 'error',
        code,
        message: `could not process an incoming ${item.kind}: ${message}`,
        conversationId: item.groupId,
      }),
    );
    // A bug (not an expected failure) must not go unnoticed: rethrow once the cursor moved.
    if (!(err instanceof FoyerError)) {
      after.push(() => {
        throw err;
      });
    }
    return true;
  }
}

/** Queues one delivery receipt per conversation for the text messages just received. */
export async function queueReceipts(ctx: EngineContext, receipts: ReceiptBatch): Promise<void> {
  if (receipts.size === 0) return;
  const tx = ctx.store.tx();
  for (const [conversationId, ids] of receipts) {
    await enqueue(ctx, tx, conversationId, newMessageId(), {
      t: 'receipt',
      kind: 'delivered',
      ids,
    });
  }
  await tx.commit();
}

async function handleItem(
  ctx: EngineContext,
  tx: StoreTx,
  item: MailboxItem,
  after: After,
  receipts: ReceiptBatch,
): Promise<void> {
  const payload = fromBase64Url(item.payload);
  if (payload === undefined) throw new FoyerError('bad_request', 'malformed mailbox payload');
  if (item.kind === 'welcome') return handleWelcome(ctx, tx, payload, after);
  if (item.kind === 'message')
    return handleGroupMessage(ctx, tx, item.groupId, payload, after, receipts);
  if (item.kind === 'status') return handleStatus(ctx, tx, item.groupId, payload, after);
  // 'link' items belong to a later linking flow; nothing to do with them here.
}

async function handleWelcome(
  ctx: EngineContext,
  tx: StoreTx,
  welcome: Uint8Array,
  after: After,
): Promise<void> {
  const found = await findKeyPackage(tx, welcomeKeyPackageRefs(welcome));
  if (found === undefined) {
    throw new FoyerError('not_found', 'a welcome names no key package this device holds');
  }
  const group = await joinFromWelcome(welcome, found.kp, ctx.deps);
  const id = toBase64Url(groupIdOf(group));
  const settings = await readSettings(tx);
  if (settings.removed.includes(id)) {
    // The user removed this conversation: an invitation back into it is ignored.
    await consumeKeyPackage(tx, found.ref, found.kp);
    return;
  }
  const existing = await findConversation(tx, id);
  if (existing?.status === 'active') {
    throw new FoyerError('duplicate', 'a welcome for a conversation this device is already in');
  }
  const now = ctx.clock.now();
  const conv: ConversationRecord = {
    ...(existing ?? {
      v: 1,
      id,
      kind: 'group',
      title: null,
      peer: null,
      createdAt: now,
      unread: 0,
    }),
    status: 'active',
    members: memberAddresses(group),
    lastActivityAt: now,
    lastOwnCommitAt: now,
    sentSinceOwnCommit: 0,
  } as ConversationRecord;
  seedOnJoin(conv, group);
  putGroup(tx, id, group);
  await putConversation(tx, conv);
  await consumeKeyPackage(tx, found.ref, found.kp);
  // Not announced, neither to this shell nor to the members: a blocked person's conversation
  // (kept hidden, so they learn nothing from it), and a group of this user's devices alone
  // until its metadata says whether it is the account channel.
  const me = meOf(ctx);
  if (hiddenByBlock(conv, settings, me) || onlyMine(conv, me)) return;
  // The others show this device's person as invited until they hear from it.
  await enqueue(ctx, tx, id, newMessageId(), { t: 'joined' });
  after.push(() =>
    ctx.events.emit({ type: 'conversation_added', conversation: conversationView(conv) }),
  );
}

async function handleGroupMessage(
  ctx: EngineContext,
  tx: StoreTx,
  id: string,
  payload: Uint8Array,
  after: After,
  receipts: ReceiptBatch,
): Promise<void> {
  // Our own commit left pending must be settled first: the message may build on it.
  await resolvePendingCommit(ctx, id);
  const conv = await findConversation(tx, id);
  if (conv === undefined || conv.status !== 'active') return; // left, removed, or never joined
  const group = await loadGroup(ctx, tx, id);
  let p: Processed;
  try {
    p = await processMessage(group, payload, ctx.deps);
  } catch (err) {
    const reason = err instanceof FoyerError ? err.details?.reason : undefined;
    if (reason === 'policy' && err instanceof FoyerError) {
      // Refused by every honest member: stay at this epoch and show the conflict.
      markConflict(conv, err);
      await putConversation(tx, conv);
      after.push(() => {
        ctx.events.emit({
          type: 'error',
          code: 'forbidden_by_policy',
          message: `a commit refused by the group policy: ${err.message}`,
          conversationId: id,
        });
        ctx.events.emit({ type: 'conversation_updated', conversation: conversationView(conv) });
      });
      return;
    }
    // A commit we already have (ours, or one seen before) is not news.
    if (reason === 'own_commit' || (reason === 'epoch_too_old' && isCommit(payload))) return;
    throw err;
  }
  if (p.kind === 'application') {
    putGroup(tx, id, p.group);
    // Any message counts as a sign of life; stored before handling, which may delete it.
    const heard = markHeard(conv, group, p.sender);
    if (heard.changed) await putConversation(tx, conv);
    if (heard.joined) await reportJoin(ctx, tx, conv, after);
    await handleApplication(ctx, tx, conv, p, after, receipts);
    return;
  }
  // A valid commit of the epoch a refused one claimed: the hub's order went on without it.
  const conflictCleared = clearConflict(conv);
  if (p.removedSelf) {
    conv.status = 'removed';
    // The members as the removing commit left them: this device's view no longer lists
    // its user (unless another of the user's devices stays in).
    conv.members = memberAddresses(p.group);
    tx.delete(rec.group(id)).delete(rec.pendingCommit(id));
    const reason = 'removed from the conversation';
    const failed = await failMessages(tx, id, await dropConversationEntries(tx, id), reason);
    await putConversation(tx, conv);
    after.push(() => {
      for (const messageId of failed) {
        ctx.events.emit({
          type: 'message_state',
          conversationId: id,
          messageId,
          state: 'failed',
          reason,
        });
      }
      ctx.events.emit({ type: 'conversation_removed', conversationId: id, reason: 'removed' });
    });
    return;
  }
  // Who was banned and by whose votes, in the history (the banned device's own too).
  const lines = await recordSystemLines(ctx, tx, conv, group, p.group);
  after.push(() => {
    for (const m of lines) {
      ctx.events.emit({ type: 'message', conversationId: id, message: messageView(m) });
    }
  });
  if (bannedLeaves(p.group).includes(myLeafOf(p.group))) {
    // Banned: the next commit removes this device; nothing more is sent or shown here.
    conv.status = 'removed';
    conv.members = memberAddresses(p.group);
    tx.delete(rec.group(id)).delete(rec.pendingCommit(id));
    await dropConversationEntries(tx, id);
    await putConversation(tx, conv);
    after.push(() =>
      ctx.events.emit({ type: 'conversation_removed', conversationId: id, reason: 'banned' }),
    );
    return;
  }
  putGroup(tx, id, p.group);
  const before = conv.members.join(',');
  conv.members = memberAddresses(p.group);
  const joined = markHeard(conv, group, p.committer).joined;
  keepPresent(conv, group, p.group);
  await putConversation(tx, conv);
  // A vote, a role change or a join alters no membership, but the members screen shows it.
  if (
    conv.members.join(',') !== before ||
    policyChanged(group, p.group) ||
    conflictCleared ||
    joined
  ) {
    after.push(() =>
      ctx.events.emit({ type: 'conversation_updated', conversation: conversationView(conv) }),
    );
  }
}

/** The members screen shows who joined: tell the shell, unless it does not show the conversation. */
async function reportJoin(
  ctx: EngineContext,
  tx: StoreTx,
  conv: ConversationRecord,
  after: After,
): Promise<void> {
  if (!shown(conv, await readSettings(tx), meOf(ctx))) return;
  after.push(() =>
    ctx.events.emit({ type: 'conversation_updated', conversation: conversationView(conv) }),
  );
}

function isCommit(payload: Uint8Array): boolean {
  try {
    return inspectMessage(payload).type === 'commit';
  } catch (err) {
    if (err instanceof FoyerError) return false;
    throw err;
  }
}
