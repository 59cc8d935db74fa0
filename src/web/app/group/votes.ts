/**
 * What the members screen reads off a group's governance: who is admin, how far a vote has
 * gone, whether this person is the last admin. The same arithmetic as the group rules
 * (docs/groups.md), for display only: the engine and the hub decide.
 */
import type { GovernanceView } from '../../lib/engine.ts';

/** True when `address` is an admin of the group. */
export function isAdmin(g: GovernanceView, address: string): boolean {
  return g.members.some((m) => m.address === address && m.role === 'admin');
}

/** How far a ban or unban vote on `target` has gone. */
export interface Tally {
  /** Eligible admins who voted for it. */
  voted: number;
  /** Admins whose votes count (the targeted person does not vote on their own ban). */
  eligible: number;
  /** Votes that carry it: more than half of the eligible admins. */
  needed: number;
  /** True when `me` voted for it. */
  mine: boolean;
}

/** The tally of the `kind` votes on `target` (`user@domain` or `user@domain/deviceId`). */
export function tally(g: GovernanceView, target: string, kind: 'ban' | 'unban', me: string): Tally {
  const whole = !target.includes('/');
  const admins = g.members
    .filter((m) => m.role === 'admin' && !(whole && m.address === target))
    .map((m) => m.address);
  const voters = g.votes
    .filter((v) => v.target === target && v.kind === kind && admins.includes(v.voter))
    .map((v) => v.voter);
  return {
    voted: voters.length,
    eligible: admins.length,
    needed: Math.floor(admins.length / 2) + 1,
    mine: voters.includes(me),
  };
}

/**
 * True when `me` is the group's only admin while others remain: the group refuses their
 * leaving until they promote someone (docs/groups.md, "Last admin").
 */
export function isLastAdmin(g: GovernanceView, me: string): boolean {
  if (!g.governed || !isAdmin(g, me)) return false;
  const admins = g.members.filter((m) => m.role === 'admin');
  const others = g.members.filter((m) => m.address !== me && !m.leaving);
  return admins.length === 1 && others.length > 0;
}
