/**
 * Checks one commit against the policy of the epoch before it. Members run it on every
 * commit they process and the hub on every commit it orders, on the same facts, so a commit
 * refused by one is refused by all. docs/groups.md states the rules.
 */
import { equalBytes } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import type { Policy } from './policy.ts';
import { decodePolicy, encodePolicy } from './policyCodec.ts';
import { applyAction, isBanned, isRefusal, refuse, type Refusal } from './rules.ts';

/** A leaf's device: its identity (`user@domain`) and device id. */
export interface LeafDevice {
  identity: string;
  deviceId: string;
}

/** What a commit does, as both a member and the hub can read it. */
export interface CommitFacts {
  /** The committer's device (its leaf before the commit, or the joiner of an external commit). */
  committer: LeafDevice;
  /** Every leaf's device before the commit. */
  before: LeafDevice[];
  removed: LeafDevice[];
  added: LeafDevice[];
  /** The policy extension's data the commit sets, if it changes the group context. */
  newPolicy: Uint8Array | undefined;
}

export type CommitVerdict = { policy: Policy | undefined } | Refusal;

/**
 * The policy after the commit, or why the commit is refused. A group without a policy (made
 * before governance existed) stays ungoverned: every commit is accepted, none may add one.
 */
export function checkCommit(before: Policy | undefined, facts: CommitFacts): CommitVerdict {
  if (before === undefined) {
    if (facts.newPolicy !== undefined) {
      return refuse('ungoverned', 'a group created without a policy cannot be given one');
    }
    return { policy: undefined };
  }
  const by = facts.committer.identity;
  const after = leavesAfter(facts);
  const identitiesAfter = new Set(after.map((d) => d.identity));
  let policy = before;
  if (facts.newPolicy !== undefined) {
    let proposed: Policy;
    try {
      proposed = decodePolicy(facts.newPolicy);
    } catch (err) {
      if (err instanceof FoyerError) return refuse('malformed', err.message);
      throw err;
    }
    if (proposed.last.by !== by) {
      return refuse('policy_mismatch', 'the policy names another member as its author');
    }
    const expected = applyAction(before, proposed.last.action, by, identitiesAfter);
    if (isRefusal(expected)) return expected;
    if (!equalBytes(encodePolicy(expected), facts.newPolicy)) {
      return refuse('policy_mismatch', 'the policy is not what its action yields');
    }
    policy = expected;
  }
  if (facts.newPolicy !== undefined && losesLastAdmin(policy, after)) {
    return refuse('last_admin', 'the ban would take the last admin’s last device');
  }
  const isAdmin = before.admins.includes(by);
  for (const r of facts.removed) {
    const allowed =
      r.identity === by ||
      isBanned(policy, r.identity, r.deviceId) ||
      before.leaving.includes(r.identity) ||
      (isAdmin && !before.admins.includes(r.identity));
    if (!allowed) {
      return refuse(
        'remove_forbidden',
        before.admins.includes(r.identity)
          ? 'an admin is removed only by a ban vote or by leaving'
          : 'only an admin may remove another member',
      );
    }
  }
  for (const a of facts.added) {
    if (isBanned(policy, a.identity, a.deviceId)) {
      return refuse('banned', 'a banned person or device cannot be added');
    }
    if (a.identity !== by && before.addMembers === 'admins' && !isAdmin) {
      return refuse('add_forbidden', 'only an admin may add members to this group');
    }
  }
  // A ban is carried by a policy-only commit (MLS cannot put a policy change and a removal
  // in one commit with this library, see docs/groups.md); every other commit must remove
  // the banned leaves, so none of them receives the keys of a later epoch.
  const policyOnly =
    facts.newPolicy !== undefined && facts.removed.length === 0 && facts.added.length === 0;
  if (!policyOnly && after.some((d) => isBanned(policy, d.identity, d.deviceId))) {
    return refuse('banned_remains', 'every leaf of a banned person or device must be removed');
  }
  return { policy };
}

/**
 * Whether no admin keeps a device that is not banned while someone who is not leaving does:
 * a device ban can do that (rules.ts sees identities, not devices), and once that device is
 * removed every policy change would be refused (docs/groups.md, "Last admin").
 */
function losesLastAdmin(p: Policy, after: LeafDevice[]): boolean {
  const staying = after.filter((d) => !isBanned(p, d.identity, d.deviceId));
  return (
    staying.some((d) => !p.leaving.includes(d.identity)) &&
    !staying.some((d) => p.admins.includes(d.identity))
  );
}

function leavesAfter(f: CommitFacts): LeafDevice[] {
  const gone = (d: LeafDevice) =>
    f.removed.some((r) => r.identity === d.identity && r.deviceId === d.deviceId);
  return [...f.before.filter((d) => !gone(d)), ...f.added];
}

/**
 * Throws the refusal as the stable error `forbidden_by_policy`.
 * @throws FoyerError forbidden_by_policy with details.rule
 */
export function policyError(r: Refusal): FoyerError {
  return new FoyerError('forbidden_by_policy', `refused by the group policy: ${r.reason}`, {
    rule: r.rule,
  });
}
