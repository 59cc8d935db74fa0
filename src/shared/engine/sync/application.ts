/**
 * Acting on a decrypted application message: text goes to history (once per client message
 * id); receipts move our messages along pending → sent → delivered → read; typing notices
 * and metadata update the shell; a `leave` schedules the removal of the leaver's devices.
 */
import { formatAddress, formatDeviceAddress } from '../../protocol/address.ts';
import { isMe, myAddress } from '../identity/addresses.ts';
import type { Processed } from '../../mls/group.ts';
import type { EngineContext } from '../core/context.ts';
import { decodeContent, type Content } from '../conversations/content.ts';
import {
  appendMessage,
  deleteConversation,
  markLeft,
  findMessage,
  putConversation,
  putMessage,
} from '../conversations/conversationStore.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import type { After } from './incoming.ts';
import {
  conversationView,
  messageView,
  type ConversationRecord,
  type DeliveryState,
  type MessageRecord,
} from '../store/model.ts';
import { dropConversationEntries } from '../outbox/outbox.ts';
import { acceptProfile } from '../conversations/profile.ts';
import { receiveSettings } from '../settings/receive.ts';
import { isBlocked } from '../settings/settingsModel.ts';
import { readSettings } from '../settings/settingsStore.ts';
import { meOf, onlyMine } from '../settings/visibility.ts';

/** Delivery receipts to send once a batch is processed: conversation id → message ids. */
export type ReceiptBatch = Map<string, string[]>;

type Application = Extract<Processed, { kind: 'application' }>;

/** How far along a message is: a state never moves back. */
export const RANK: Record<DeliveryState, number> = {
  failed: -1,
  pending: 0,
  received: 0,
  sent: 1,
  relayed: 2,
  delivered: 3,
  read: 4,
};

export async function handleApplication(
  ctx: EngineContext,
  tx: StoreTx,
  conv: ConversationRecord,
  p: Application,
  after: After,
  receipts: ReceiptBatch,
): Promise<void> {
  const content = decodeContent(p.plaintext);
  const fromMe = isMe(ctx, p.sender);
  if (content === undefined) {
    after.push(() =>
      ctx.events.emit({
        type: 'error',
        code: 'bad_request',
        message: 'received a message in a format this version does not know',
        conversationId: conv.id,
      }),
    );
    return;
  }
  // A blocked person's texts and typing notices are dropped unseen, with no receipt: they
  // see their messages sent, never delivered (docs/groups.md, "Removing a contact and blocking").
  if (
    (content.t === 'text' || content.t === 'typing') &&
    !fromMe &&
    isBlocked(await readSettings(tx), formatAddress(p.sender))
  ) {
    return;
  }
  // Only this user's own devices, in a group of nobody else, speak for the account channel.
  const mineAlone = fromMe && onlyMine(conv, meOf(ctx));
  switch (content.t) {
    case 'text':
      return onText(ctx, tx, conv, p, content, fromMe, after, receipts);
    case 'settings':
      if (mineAlone) await receiveSettings(ctx, tx, conv, content.settings, after);
      return;
    case 'receipt':
      return onReceipt(ctx, tx, conv, p, content, fromMe, after);
    case 'joined':
      // Its sender was marked heard from before (incoming.ts); nothing else to do.
      return;
    case 'typing':
      if (!fromMe) {
        after.push(() =>
          ctx.events.emit({
            type: 'typing',
            conversationId: conv.id,
            address: formatAddress(p.sender),
          }),
        );
      }
      return;
    case 'profile':
      if (await acceptProfile(p.group, conv, content, p.plaintext)) {
        await putConversation(tx, conv);
        after.push(() =>
          ctx.events.emit({ type: 'conversation_updated', conversation: conversationView(conv) }),
        );
      }
      return;
    case 'meta':
      if (content.channel === 'account' && mineAlone) {
        conv.channel = 'account';
        await putConversation(tx, conv);
        return;
      }
      conv.kind = content.kind;
      // A profile, once set, names the group; metadata only fills in before one exists.
      if (conv.profile === undefined) conv.title = content.title;
      conv.peer =
        content.kind === 'direct'
          ? (conv.members.find((m) => m !== formatAddress(myAddress(ctx))) ?? null)
          : null;
      await putConversation(tx, conv);
      after.push(() =>
        ctx.events.emit({ type: 'conversation_updated', conversation: conversationView(conv) }),
      );
      return;
    case 'leave':
      if (fromMe && content.hide === true) {
        // Another device of ours removed the conversation: it goes here too, history and all.
        await dropConversationEntries(tx, conv.id);
        await deleteConversation(tx, conv.id);
        after.push(() =>
          ctx.events.emit({
            type: 'conversation_removed',
            conversationId: conv.id,
            reason: 'hidden',
          }),
        );
      } else if (fromMe) {
        // Another device of ours left: this one leaves with it (keeping the history).
        await failMessages(
          tx,
          conv.id,
          await dropConversationEntries(tx, conv.id),
          'left the conversation',
        );
        await markLeft(tx, conv);
        after.push(() =>
          ctx.events.emit({
            type: 'conversation_removed',
            conversationId: conv.id,
            reason: 'left',
          }),
        );
      } else {
        await ctx.dispatch.post(tx, {
          kind: 'remove_user',
          conversationId: conv.id,
          user: p.sender.user,
          domain: p.sender.domain,
        });
      }
      return;
  }
}

async function onText(
  ctx: EngineContext,
  tx: StoreTx,
  conv: ConversationRecord,
  p: Application,
  content: Extract<Content, { t: 'text' }>,
  fromMe: boolean,
  after: After,
  receipts: ReceiptBatch,
): Promise<void> {
  if ((await findMessage(tx, conv.id, content.id)) !== undefined) return; // seen already
  const now = ctx.clock.now();
  const m: MessageRecord = {
    v: 2,
    id: content.id,
    conversationId: conv.id,
    sender: { user: p.sender.user, domain: p.sender.domain, deviceId: p.sender.deviceId },
    outgoing: fromMe,
    text: content.text,
    sentAt: content.ts,
    receivedAt: now,
    state: fromMe ? 'sent' : 'received',
    reason: null,
    deliveredTo: [],
    readBy: [],
  };
  await appendMessage(tx, m);
  conv.lastActivityAt = now;
  if (!fromMe) {
    conv.unread++;
    const ids = receipts.get(conv.id) ?? [];
    ids.push(m.id);
    receipts.set(conv.id, ids);
  }
  await putConversation(tx, conv);
  after.push(() =>
    ctx.events.emit({ type: 'message', conversationId: conv.id, message: messageView(m) }),
  );
}

async function onReceipt(
  ctx: EngineContext,
  tx: StoreTx,
  conv: ConversationRecord,
  p: Application,
  content: Extract<Content, { t: 'receipt' }>,
  fromMe: boolean,
  after: After,
): Promise<void> {
  let readHere = 0;
  for (const id of content.ids) {
    const m = await findMessage(tx, conv.id, id);
    if (m === undefined) continue;
    if (fromMe) {
      // Another device of ours read it: it is read here too.
      if (content.kind === 'read' && !m.outgoing && m.state === 'received') {
        m.state = 'read';
        readHere++;
        putMessage(tx, m);
      }
      continue;
    }
    if (!m.outgoing) continue;
    if (content.kind === 'delivered') {
      const device = formatDeviceAddress(p.sender);
      if (!m.deliveredTo.includes(device)) m.deliveredTo.push(device);
    } else if (!m.readBy.includes(formatAddress(p.sender))) {
      m.readBy.push(formatAddress(p.sender));
    }
    const next: DeliveryState = content.kind === 'read' ? 'read' : 'delivered';
    if (m.state !== 'failed' && RANK[next] > RANK[m.state]) {
      m.state = next;
      after.push(() =>
        ctx.events.emit({
          type: 'message_state',
          conversationId: conv.id,
          messageId: id,
          state: next,
        }),
      );
    }
    putMessage(tx, m);
  }
  if (readHere > 0) {
    conv.unread = Math.max(0, conv.unread - readHere);
    await putConversation(tx, conv);
  }
}

/** Marks queued text messages as failed (their conversation is gone). */
export async function failMessages(
  tx: StoreTx,
  conversationId: string,
  ids: string[],
  reason: string,
): Promise<string[]> {
  const failed: string[] = [];
  for (const id of ids) {
    const m = await findMessage(tx, conversationId, id);
    if (m !== undefined && m.state === 'pending') {
      m.state = 'failed';
      m.reason = reason;
      putMessage(tx, m);
      failed.push(id);
    }
  }
  return failed;
}
