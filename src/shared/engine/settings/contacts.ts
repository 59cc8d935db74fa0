/**
 * Removing and blocking a person (seed 002, docs/groups.md). Removing a contact removes
 * their one-to-one conversations as any removed conversation is removed (leaving first when
 * still a member). Blocking also records the block in the account settings, so that every
 * device of the user keeps a new one-to-one conversation of theirs hidden and drops their
 * messages; unblocking lifts that. Each runs with the engine lock held; the caller publishes
 * the settings (channel.ts publishSettings) and flushes the outbox.
 */
import { formatAddress, type Address } from '../../protocol/address.ts';
import { policyOf } from '../../mls/group.ts';
import type { EngineContext } from '../core/context.ts';
import { allConversations, loadGroup } from '../conversations/conversationStore.ts';
import { removeConversation, removePeople } from '../conversations/membership.ts';
import { blockedAddresses, withBlock } from './settingsModel.ts';
import { changeSettings, readSettings } from './settingsStore.ts';
import { hiddenByBlock, meOf } from './visibility.ts';
import { conversationView, type ConversationRecord } from '../store/model.ts';
import { enqueue } from '../outbox/outbox.ts';
import { newMessageId } from '../core/ids.ts';

/**
 * Removes every one-to-one conversation with `person` from this user's devices.
 * @returns the ids of the conversations removed
 */
export async function removeContact(ctx: EngineContext, person: Address): Promise<string[]> {
  const peer = formatAddress(person);
  const removed: string[] = [];
  for (const c of await allConversations(ctx.store)) {
    if (c.kind !== 'direct' || c.peer !== peer || c.channel !== undefined) continue;
    if (c.status === 'active') {
      // The last admin may not leave while the other is in it: take them out first, and the
      // group, left with nobody else, is forgotten by the hub as well.
      const policy = policyOf(await loadGroup(ctx, ctx.store, c.id));
      const me = meOf(ctx);
      if (policy?.admins.length === 1 && policy.admins[0] === me && c.members.includes(peer)) {
        await removePeople(ctx, c.id, [peer]);
      }
    }
    await removeConversation(ctx, c.id);
    removed.push(c.id);
  }
  return removed;
}

/**
 * Blocks `person` on all of this user's devices and removes their one-to-one conversations.
 * @returns the ids of the conversations removed
 */
export async function blockPerson(ctx: EngineContext, person: Address): Promise<string[]> {
  const tx = ctx.store.tx();
  await changeSettings(tx, (s) => withBlock(s, formatAddress(person), true, ctx.account.deviceId));
  await tx.commit();
  return removeContact(ctx, person);
}

/** Lifts the block of `person` on all of this user's devices; their hidden conversation shows. */
export async function unblockPerson(ctx: EngineContext, person: Address): Promise<void> {
  const me = meOf(ctx);
  const before = await readSettings(ctx.store);
  const tx = ctx.store.tx();
  const after = await changeSettings(tx, (s) =>
    withBlock(s, formatAddress(person), false, ctx.account.deviceId),
  );
  await tx.commit();
  const shown: ConversationRecord[] = [];
  for (const c of await allConversations(ctx.store)) {
    if (c.status === 'active' && hiddenByBlock(c, before, me) && !hiddenByBlock(c, after, me)) {
      shown.push(c);
    }
  }
  // The join this device kept quiet while the conversation was hidden is told now.
  const announce = ctx.store.tx();
  for (const c of shown) await enqueue(ctx, announce, c.id, newMessageId(), { t: 'joined' });
  await announce.commit();
  for (const c of shown) {
    ctx.events.emit({ type: 'conversation_added', conversation: conversationView(c) });
  }
}

/** The addresses this user blocked, sorted. */
export async function blockedPeople(ctx: EngineContext): Promise<string[]> {
  return blockedAddresses(await readSettings(ctx.store));
}
