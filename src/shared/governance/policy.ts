/**
 * A group's governance policy: who is admin, who is banned, the pending ban votes, who may
 * add members and edit the profile, and the group profile's commitment. It lives in the MLS
 * group context as a custom extension (POLICY_EXTENSION_TYPE), so every member holds the same
 * policy at every epoch and only a commit can change it. docs/groups.md states the rules.
 *
 * Identities are `user@domain` addresses; a device is an identity plus its device id.
 */

/** Custom (private-use) MLS extension type of the policy; every key package lists it. */
export const POLICY_EXTENSION_TYPE = 0xf0a0;

/** Who may do something the policy governs. */
export type Allowed = 'admins' | 'members';

/** Whom a vote is about: a whole identity, or one of its devices. */
export interface Target {
  identity: string;
  /** Set for a single device; absent for the whole identity. */
  deviceId?: string;
}

export type VoteKind = 'ban' | 'unban';

export interface Vote {
  target: Target;
  kind: VoteKind;
  voter: string;
}

/** What a commit did to the policy; exactly one per policy-changing commit. */
export type PolicyAction =
  | { t: 'create' }
  | { t: 'promote'; identity: string }
  | { t: 'demote'; identity: string }
  | { t: 'vote'; target: Target; kind: VoteKind }
  | { t: 'unvote'; target: Target }
  | { t: 'permissions'; addMembers: Allowed; editProfile: Allowed }
  /** The committer's identity asks to leave: any member may then remove its leaves. */
  | { t: 'leave' }
  /** Drops entries of identities whose last leaf the commit removes. */
  | { t: 'prune' }
  | { t: 'profile'; commitment: Uint8Array };

/** The outcome of the action, for members to show ("banned by the votes of …"). */
export interface LastChange {
  action: PolicyAction;
  /** The committer's identity. */
  by: string;
  /** Votes that reached their majority in this commit, with the voters that carried each. */
  resolved: Resolution[];
}

/** A vote that reached its majority. */
export interface Resolution {
  target: Target;
  kind: VoteKind;
  voters: string[];
}

export interface GroupProfileRef {
  /** 0 before the first edit; +1 per edit. */
  revision: number;
  /** SHA-256 of the encrypted-to-members profile content (salted): 32 bytes, empty at 0. */
  commitment: Uint8Array;
  /** Who made the last edit (empty at revision 0). */
  editor: string;
}

/** The policy. Lists are kept sorted and without duplicates: one policy, one encoding. */
export interface Policy {
  addMembers: Allowed;
  editProfile: Allowed;
  admins: string[];
  bannedIdentities: string[];
  bannedDevices: Target[];
  leaving: string[];
  votes: Vote[];
  profile: GroupProfileRef;
  last: LastChange;
}

/** The policy of a new group: its creator is the only admin; admins add and edit. */
export function initialPolicy(creator: string): Policy {
  return {
    addMembers: 'admins',
    editProfile: 'admins',
    admins: [creator],
    bannedIdentities: [],
    bannedDevices: [],
    leaving: [],
    votes: [],
    profile: { revision: 0, commitment: new Uint8Array(), editor: '' },
    last: { action: { t: 'create' }, by: creator, resolved: [] },
  };
}

/** `user@domain` or `user@domain/deviceId`, as shown to people and used as a sort key. */
export function targetKey(t: Target): string {
  return t.deviceId === undefined ? t.identity : `${t.identity}/${t.deviceId}`;
}

export function sameTarget(a: Target, b: Target): boolean {
  return a.identity === b.identity && a.deviceId === b.deviceId;
}

/** Sort key of a vote: target, then kind, then voter. */
export function voteKey(v: Vote): string {
  return `${targetKey(v.target)}\u0000${v.kind}\u0000${v.voter}`;
}
