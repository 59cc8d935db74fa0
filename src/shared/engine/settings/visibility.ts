/**
 * Which conversations a shell shows. The account channel never; nor a conversation whose
 * other members are all blocked people (a blocked person's new one-to-one attempt): this
 * device holds its MLS state, so that an unblock gives back the one conversation both
 * people use, but shows nothing of it and drops their messages (docs/groups.md, "Removing a contact and blocking").
 */
import { formatAddress } from '../../protocol/address.ts';
import type { EngineContext } from '../core/context.ts';
import type { ConversationRecord } from '../store/model.ts';
import { isBlocked, type AccountSettings } from './settingsModel.ts';

/** True when every member other than `me` is blocked (and there is one). */
export function hiddenByBlock(
  c: Pick<ConversationRecord, 'members'>,
  settings: AccountSettings,
  me: string,
): boolean {
  const others = c.members.filter((m) => m !== me);
  return others.length > 0 && others.every((m) => isBlocked(settings, m));
}

/** True when a shell lists the conversation. */
export function shown(c: ConversationRecord, settings: AccountSettings, me: string): boolean {
  return c.channel === undefined && !hiddenByBlock(c, settings, me);
}

/** True when every member of the group is this user (a candidate for the account channel). */
export function onlyMine(c: Pick<ConversationRecord, 'members'>, me: string): boolean {
  return c.members.length > 0 && c.members.every((m) => m === me);
}

/** This user's address, as members lists hold it. */
export function meOf(ctx: EngineContext): string {
  return formatAddress({ user: ctx.account.user, domain: ctx.account.domain });
}
