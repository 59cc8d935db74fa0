/**
 * The policy's transition rules: what each action does, who may take it, and how votes
 * resolve. Pure and deterministic, so every member and the hub compute the same next policy
 * from the same commit; a commit's policy must be exactly what its action yields here.
 * docs/groups.md states these rules in prose.
 */
import {
  sameTarget,
  targetKey,
  type Policy,
  type PolicyAction,
  type Resolution,
  type Target,
  type Vote,
} from './policy.ts';

/** Why a change is refused: a stable rule name and a sentence for people. */
export interface Refusal {
  refused: true;
  rule: string;
  reason: string;
}

export function refuse(rule: string, reason: string): Refusal {
  return { refused: true, rule, reason };
}

export function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && (x as Refusal).refused === true;
}

/** True when the identity, or this one device of it, is banned. */
export function isBanned(p: Policy, identity: string, deviceId?: string): boolean {
  return (
    p.bannedIdentities.includes(identity) ||
    (deviceId !== undefined &&
      p.bannedDevices.some((d) => d.identity === identity && d.deviceId === deviceId))
  );
}

function isTargetBanned(p: Policy, t: Target): boolean {
  return t.deviceId === undefined
    ? p.bannedIdentities.includes(t.identity)
    : isBanned(p, t.identity, t.deviceId);
}

/**
 * The policy after `by` takes `action`, for a commit that leaves the identities
 * `identitiesAfter` with at least one leaf.
 */
export function applyAction(
  before: Policy,
  action: PolicyAction,
  by: string,
  identitiesAfter: ReadonlySet<string>,
): Policy | Refusal {
  const p: Policy = structuredClone(before);
  const isAdmin = p.admins.includes(by);
  const adminOnly = (what: string): Refusal | undefined =>
    isAdmin ? undefined : refuse('admin_only', `only an admin may ${what}`);
  switch (action.t) {
    case 'create':
      return refuse('bad_action', 'a group is created once');
    case 'promote': {
      const no = adminOnly('promote');
      if (no) return no;
      if (p.admins.includes(action.identity)) return refuse('no_change', 'already an admin');
      if (!identitiesAfter.has(action.identity)) {
        return refuse('not_member', 'only a member can be promoted');
      }
      p.admins = sorted([...p.admins, action.identity]);
      p.leaving = p.leaving.filter((x) => x !== action.identity);
      break;
    }
    case 'demote': {
      const no = adminOnly('demote');
      if (no) return no;
      if (!p.admins.includes(action.identity)) return refuse('no_change', 'not an admin');
      if (p.admins.length === 1) {
        return refuse('last_admin', 'the last admin cannot be demoted; promote another first');
      }
      dropAdmin(p, action.identity);
      break;
    }
    case 'vote': {
      const no = adminOnly('vote');
      if (no) return no;
      const t = action.target;
      if (action.kind === 'ban' && t.deviceId === undefined && t.identity === by) {
        return refuse('self_ban', 'an admin cannot vote to ban themselves; leave instead');
      }
      if ((action.kind === 'ban') === isTargetBanned(p, t)) {
        return refuse(
          'no_change',
          action.kind === 'ban' ? 'already banned' : 'not banned, nothing to lift',
        );
      }
      if (p.votes.some((v) => v.voter === by && sameTarget(v.target, t))) {
        return refuse('no_change', 'this admin already voted on that');
      }
      p.votes = sortedVotes([...p.votes, { target: t, kind: action.kind, voter: by }]);
      break;
    }
    case 'unvote': {
      const had = p.votes.length;
      p.votes = p.votes.filter((v) => !(v.voter === by && sameTarget(v.target, action.target)));
      if (p.votes.length === had) return refuse('no_change', 'no vote of this member to withdraw');
      break;
    }
    case 'permissions': {
      const no = adminOnly('change who may add members or edit the profile');
      if (no) return no;
      p.addMembers = action.addMembers;
      p.editProfile = action.editProfile;
      break;
    }
    case 'leave':
      if (p.leaving.includes(by)) return refuse('no_change', 'already leaving');
      if (isAdmin && p.admins.length === 1 && [...identitiesAfter].some((x) => x !== by)) {
        return refuse('last_admin', 'the last admin must promote another before leaving');
      }
      dropAdmin(p, by);
      p.leaving = sorted([...p.leaving, by]);
      break;
    case 'prune':
      break;
    case 'profile': {
      if (p.editProfile === 'admins') {
        const no = adminOnly('edit the group profile');
        if (no) return no;
      }
      p.profile = {
        revision: p.profile.revision + 1,
        commitment: action.commitment.slice(),
        editor: by,
      };
      break;
    }
  }
  const resolved = resolveVotes(p);
  prune(p, identitiesAfter);
  if (p.admins.length === 0 && [...identitiesAfter].some((x) => !p.leaving.includes(x))) {
    return refuse('last_admin', 'the group would have no admin left');
  }
  p.last = { action, by, resolved };
  return p;
}

/** Removes an admin and every vote they cast. */
function dropAdmin(p: Policy, identity: string): void {
  p.admins = p.admins.filter((x) => x !== identity);
  p.votes = p.votes.filter((v) => v.voter !== identity);
}

/** Forgets identities with no leaf left: they left or were removed. */
function prune(p: Policy, identitiesAfter: ReadonlySet<string>): void {
  for (const gone of p.admins.filter((x) => !identitiesAfter.has(x))) dropAdmin(p, gone);
  p.leaving = p.leaving.filter((x) => identitiesAfter.has(x));
}

/**
 * Carries out every vote that has more than half of the eligible admins: the current admins,
 * less the targeted identity itself (it cannot vote on its own ban). A ban removes the
 * identity from the admins (its own votes go with it), which can tip other votes: repeat
 * until nothing changes. Targets are taken in key order, so the result is deterministic.
 */
function resolveVotes(p: Policy): Resolution[] {
  const resolved: Resolution[] = [];
  for (;;) {
    const next = firstMajority(p);
    if (next === undefined) return resolved.sort(byKey);
    const { target, kind, voters } = next;
    p.votes = p.votes.filter((v) => !sameTarget(v.target, target));
    if (kind === 'ban') {
      if (target.deviceId === undefined) {
        p.bannedIdentities = sorted([...p.bannedIdentities, target.identity]);
        dropAdmin(p, target.identity);
        p.leaving = p.leaving.filter((x) => x !== target.identity);
      } else {
        p.bannedDevices = [...p.bannedDevices, target].sort(byTarget);
      }
    } else if (target.deviceId === undefined) {
      p.bannedIdentities = p.bannedIdentities.filter((x) => x !== target.identity);
    } else {
      p.bannedDevices = p.bannedDevices.filter((d) => !sameTarget(d, target));
    }
    resolved.push({ target, kind, voters });
  }
}

function firstMajority(p: Policy): Resolution | undefined {
  const byTargetKey = new Map<string, Vote[]>();
  for (const v of p.votes) {
    const k = `${targetKey(v.target)}\u0000${v.kind}`;
    byTargetKey.set(k, [...(byTargetKey.get(k) ?? []), v]);
  }
  for (const k of [...byTargetKey.keys()].sort()) {
    const votes = byTargetKey.get(k)!;
    const { target, kind } = votes[0]!;
    const eligible = p.admins.filter((a) => target.deviceId !== undefined || a !== target.identity);
    const voters = votes.map((v) => v.voter).filter((v) => eligible.includes(v));
    if (eligible.length > 0 && voters.length * 2 > eligible.length) {
      return { target, kind, voters: sorted(voters) };
    }
  }
  return undefined;
}

function sorted(list: string[]): string[] {
  return [...new Set(list)].sort();
}

function byTarget(a: Target, b: Target): number {
  const x = targetKey(a);
  const y = targetKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function byKey(a: Resolution, b: Resolution): number {
  const x = `${targetKey(a.target)}\u0000${a.kind}`;
  const y = `${targetKey(b.target)}\u0000${b.kind}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortedVotes(votes: Vote[]): Vote[] {
  const key = (v: Vote) => `${targetKey(v.target)}\u0000${v.kind}\u0000${v.voter}`;
  return votes.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
