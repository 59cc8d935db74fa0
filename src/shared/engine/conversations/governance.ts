/**
 * Governance of a conversation from this device: policy actions (promote, demote, votes,
 * permissions) through the commit flow, and the follow-up removal that a carried ban needs.
 * The rules themselves are in shared/governance (docs/groups.md).
 */
import {
  bannedLeaves,
  commitPolicy,
  identityOf,
  membersOf,
  policyOf,
  removeMembers,
  type Group,
} from '../../mls/group.ts';
import type { PolicyAction, Policy, Target } from '../../governance/policy.ts';
import { formatAddress } from '../../protocol/address.ts';
import { parsePerson } from '../identity/addresses.ts';
import type { EngineContext } from '../core/context.ts';
import { getConversation, loadGroup } from './conversationStore.ts';
import { runCommit } from '../sync/commitFlow.ts';
import { meOf } from '../settings/visibility.ts';

/** A member as the members screen shows it. */
export interface MemberView {
  address: string;
  role: 'admin' | 'member';
  /**
   * `invited` while none of the person's devices has been heard from since it was added
   * (presence.ts); this user is always `active`.
   */
  state: 'invited' | 'active';
  devices: string[];
  /** The devices (ids, sorted) not heard from since they were added. */
  invitedDevices: string[];
  leaving: boolean;
}

/** Who is shown active: the devices heard from, and this user. Absent: everyone. */
export interface Presence {
  heard: readonly string[] | undefined;
  me: string;
}

/** A conversation's governance, as shown to its members. */
export interface GovernanceView {
  governed: boolean;
  members: MemberView[];
  addMembers: Policy['addMembers'] | null;
  editProfile: Policy['editProfile'] | null;
  bannedIdentities: string[];
  bannedDevices: string[];
  votes: Array<{ target: string; kind: 'ban' | 'unban'; voter: string }>;
  /** The last policy change: what, by whom, and the votes that carried with it. */
  last: {
    action: string;
    by: string;
    resolved: Array<{ target: string; kind: string; voters: string[] }>;
  } | null;
}

function targetText(t: Target): string {
  return t.deviceId === undefined ? t.identity : `${t.identity}/${t.deviceId}`;
}

/** The governance view of a group state (`presence` absent: everyone active). */
export function governanceOf(group: Group, presence?: Presence): GovernanceView {
  const p = policyOf(group);
  const byIdentity = new Map<string, string[]>();
  for (const m of membersOf(group)) {
    const id = identityOf(m.credential);
    byIdentity.set(id, [...(byIdentity.get(id) ?? []), m.credential.deviceId]);
  }
  const members = [...byIdentity.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([address, devices]) => {
      const heard = presence?.heard;
      const invitedDevices =
        heard === undefined || address === presence?.me
          ? []
          : devices.filter((d) => !heard.includes(`${address}/${d}`)).sort();
      return {
        address,
        role: p?.admins.includes(address) ? ('admin' as const) : ('member' as const),
        state:
          invitedDevices.length === devices.length ? ('invited' as const) : ('active' as const),
        devices: devices.sort(),
        invitedDevices,
        leaving: p?.leaving.includes(address) ?? false,
      };
    });
  if (p === undefined) {
    return {
      governed: false,
      members,
      addMembers: null,
      editProfile: null,
      bannedIdentities: [],
      bannedDevices: [],
      votes: [],
      last: null,
    };
  }
  return {
    governed: true,
    members,
    addMembers: p.addMembers,
    editProfile: p.editProfile,
    bannedIdentities: p.bannedIdentities,
    bannedDevices: p.bannedDevices.map(targetText),
    votes: p.votes.map((v) => ({ target: targetText(v.target), kind: v.kind, voter: v.voter })),
    last: {
      action: p.last.action.t,
      by: p.last.by,
      resolved: p.last.resolved.map((r) => ({
        target: targetText(r.target),
        kind: r.kind,
        voters: r.voters,
      })),
    },
  };
}

/** The identity `user@domain` of a name as a person types it (bare names: this instance). */
export function identityFor(ctx: EngineContext, name: string): string {
  return formatAddress(parsePerson(ctx, name));
}

/** A vote's target from a name and an optional device id. */
export function targetFor(ctx: EngineContext, name: string, deviceId?: string): Target {
  const identity = identityFor(ctx, name);
  return deviceId === undefined ? { identity } : { identity, deviceId };
}

/**
 * Commits a policy action, then removes the leaves of whatever ban it carried. Call with
 * the engine lock held.
 * @throws FoyerError forbidden_by_policy (details.rule), usage, wrong_epoch, network
 */
export async function changePolicy(
  ctx: EngineContext,
  conversationId: string,
  action: PolicyAction,
): Promise<void> {
  await runCommit(ctx, conversationId, async (group) => ({
    output: await commitPolicy(group, action, ctx.deps),
  }));
  await removeBannedLeaves(ctx, conversationId);
}

/**
 * Removes leaves that a carried ban left in the tree (ours, or another member's whose
 * follow-up did not happen). Call with the engine lock held.
 */
export async function removeBannedLeaves(
  ctx: EngineContext,
  conversationId: string,
): Promise<void> {
  await runCommit(ctx, conversationId, async (group) => {
    const leaves = bannedLeaves(group);
    return leaves.length === 0 ? null : { output: await removeMembers(group, leaves, ctx.deps) };
  });
}

/** The governance view of a conversation. Call with the engine lock held. */
export async function governanceView(
  ctx: EngineContext,
  conversationId: string,
): Promise<GovernanceView> {
  // An unknown id is not_found, as for every other conversation command.
  const conv = await getConversation(ctx.store, conversationId);
  const group = await loadGroup(ctx, ctx.store, conversationId);
  return governanceOf(group, { heard: conv.heard, me: meOf(ctx) });
}
