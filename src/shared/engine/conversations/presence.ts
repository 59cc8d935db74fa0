/**
 * Which devices of a conversation this device has heard from since they were added: the
 * `invited` state of the members screen (docs/groups.md, "Roles"). A device is heard from
 * when anything it sent is processed here (a message, a receipt, a commit, or the `joined`
 * announcement every device sends once it processed its Welcome).
 */
import { identityOf, membersOf, type Group } from '../../mls/group.ts';
import type { ConversationRecord } from '../store/model.ts';

/** `user@domain/deviceId`, the way the policy names one device. */
export function deviceKey(c: { user: string; domain: string; deviceId: string }): string {
  return `${identityOf(c)}/${c.deviceId}`;
}

function devicesOf(group: Group): string[] {
  return membersOf(group).map((m) => deviceKey(m.credential));
}

/**
 * Starts the tracking of a record stored before it existed: every device already in the
 * group counts as heard from, so that existing groups do not show everyone as invited.
 */
function startTracking(conv: ConversationRecord, group: Group): string[] {
  conv.heard ??= devicesOf(group).sort();
  return conv.heard;
}

/**
 * Seeds the tracking of a conversation this device just joined: it cannot know who among
 * the members present has joined, so it counts them all as active and learns only of the
 * joins that follow.
 */
export function seedOnJoin(conv: ConversationRecord, group: Group): void {
  conv.heard = devicesOf(group).sort();
}

/**
 * Records that `device` was heard from in `group` (the state before the item that carried
 * it). @returns `changed`: the record must be stored; `joined`: the device was not heard
 * from before (its person may no longer be invited)
 */
export function markHeard(
  conv: ConversationRecord,
  group: Group,
  device: { user: string; domain: string; deviceId: string },
): { changed: boolean; joined: boolean } {
  const tracked = conv.heard !== undefined;
  const heard = startTracking(conv, group);
  const key = deviceKey(device);
  if (heard.includes(key)) return { changed: !tracked, joined: false };
  conv.heard = [...heard, key].sort();
  return { changed: true, joined: true };
}

/**
 * Forgets devices no longer in the group (`after`, the state a commit left), so that a device
 * removed and added back is invited again until heard from.
 */
export function keepPresent(conv: ConversationRecord, before: Group, after: Group): void {
  const present = new Set(devicesOf(after));
  conv.heard = startTracking(conv, before).filter((k) => present.has(k));
}
