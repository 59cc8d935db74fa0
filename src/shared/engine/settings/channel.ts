/**
 * The account channel: a private MLS group holding only this user's own devices, which
 * carries the account settings (settingsModel.ts) to all of them. Created lazily, by the
 * first device that changes a setting; kept in line with the live devices like every
 * conversation (reconcileOwnDevices adds a linked device and sends it a snapshot, removes a
 * revoked one). If two devices each created one before hearing of the other, both channels
 * hold both devices and every snapshot is merged wherever it arrives; a device sends to the
 * one with the smaller id. The hub sees a group of one user's devices and the size and time
 * of each snapshot, nothing of its content (docs/threat-model.md).
 */
import { FoyerError } from '../../protocol/errors.ts';
import type { EngineContext } from '../core/context.ts';
import { newMessageId } from '../core/ids.ts';
import { allConversations } from '../conversations/conversationStore.ts';
import { createConversation } from '../conversations/membership.ts';
import { enqueue } from '../outbox/outbox.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import type { ConversationRecord } from '../store/model.ts';
import { readSettings, settingsUnsent, putSettings } from './settingsStore.ts';

/** The account channel this device sends to: the active one with the smallest id. */
export function accountChannel(all: readonly ConversationRecord[]): ConversationRecord | undefined {
  let best: ConversationRecord | undefined;
  for (const c of all) {
    if (c.channel !== 'account' || c.status !== 'active') continue;
    if (best === undefined || c.id < best.id) best = c;
  }
  return best;
}

/** Queues, inside `tx`, the settings this device holds as one snapshot in `channelId`. */
export async function enqueueSnapshot(
  ctx: EngineContext,
  tx: StoreTx,
  channelId: string,
): Promise<void> {
  await enqueue(ctx, tx, channelId, newMessageId(), {
    t: 'settings',
    settings: await readSettings(tx),
  });
}

/**
 * Queues the settings in the account channel when they changed here since last sent,
 * creating the channel first when this user has none. A network failure leaves them marked
 * for the next attempt. Call with the engine lock held.
 * @returns true when a snapshot was queued
 */
export async function publishSettings(ctx: EngineContext): Promise<boolean> {
  if (!(await settingsUnsent(ctx.store))) return false;
  try {
    let channel = accountChannel(await allConversations(ctx.store));
    channel ??= await createConversation(ctx, 'group', null, [], 'account');
    const tx = ctx.store.tx();
    // Re-read inside the write: an incoming snapshot may have changed them meanwhile.
    await enqueueSnapshot(ctx, tx, channel.id);
    putSettings(tx, await readSettings(tx), false);
    await tx.commit();
    return true;
  } catch (err) {
    if (err instanceof FoyerError && err.code === 'network') return false;
    ctx.events.emit({
      type: 'error',
      code: err instanceof FoyerError ? err.code : 'internal',
      message: `could not send the account settings: ${err instanceof Error ? err.message : String(err)}`,
    });
    return false;
  }
}
