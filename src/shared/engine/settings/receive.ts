/**
 * A settings snapshot received from another device of this user, in the account channel:
 * merged into what this device holds, then acted on — a conversation removed elsewhere goes
 * here too (history and all; one still active here is left first, by a stored job), and a
 * conversation that an unblock shows again is announced. When this device knew more than
 * the snapshot, the merged settings are marked to be sent back, so that devices that
 * changed things at the same time end with the same settings.
 */
import type { EngineContext } from '../core/context.ts';
import {
  allConversations,
  deleteConversation,
  findConversation,
  putConversation,
} from '../conversations/conversationStore.ts';
import { dropConversationEntries, enqueue } from '../outbox/outbox.ts';
import { newMessageId } from '../core/ids.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import { conversationView, type ConversationRecord } from '../store/model.ts';
import type { After } from '../sync/incoming.ts';
import { mergeSettings, sameSettings, type AccountSettings } from './settingsModel.ts';
import { putSettings, readSettings, settingsUnsent } from './settingsStore.ts';
import { hiddenByBlock, meOf } from './visibility.ts';

export async function receiveSettings(
  ctx: EngineContext,
  tx: StoreTx,
  channel: ConversationRecord,
  received: AccountSettings,
  after: After,
): Promise<void> {
  if (channel.channel !== 'account') {
    channel.channel = 'account';
    await putConversation(tx, channel);
  }
  const held = await readSettings(tx);
  const merged = mergeSettings(held, received);
  const unsent = (await settingsUnsent(tx)) || !sameSettings(merged, received);
  putSettings(tx, merged, unsent);

  for (const id of merged.removed) {
    if (held.removed.includes(id)) continue;
    const conv = await findConversation(tx, id);
    if (conv === undefined || conv.channel !== undefined) continue;
    if (conv.status === 'active') {
      // Still a member here: leaving needs the network, so a stored job does it.
      await ctx.dispatch.post(tx, { kind: 'remove_conversation', conversationId: id });
      continue;
    }
    await dropConversationEntries(tx, id);
    await deleteConversation(tx, id);
    after.push(() =>
      ctx.events.emit({ type: 'conversation_removed', conversationId: id, reason: 'hidden' }),
    );
  }

  const me = meOf(ctx);
  for (const c of await allConversations(tx)) {
    if (c.channel !== undefined || c.status !== 'active') continue;
    const before = hiddenByBlock(c, held, me);
    const now = hiddenByBlock(c, merged, me);
    if (before && !now) {
      // The join this device kept quiet while the conversation was hidden is told now.
      await enqueue(ctx, tx, c.id, newMessageId(), { t: 'joined' });
      after.push(() =>
        ctx.events.emit({ type: 'conversation_added', conversation: conversationView(c) }),
      );
    } else if (!before && now) {
      after.push(() =>
        ctx.events.emit({ type: 'conversation_removed', conversationId: c.id, reason: 'hidden' }),
      );
    }
  }
}
