/**
 * The group policy (shared/governance) inside MLS: read from the group context, written by a
 * group-context-extensions proposal, and checked on every commit a member processes.
 */
import type { ClientState, Extension, Proposal, ProposalWithSender, RatchetTree } from 'ts-mls';
import { formatAddress } from '../protocol/address.ts';
import type { DeviceCredential } from '../protocol/credential.ts';
import type { LeafDevice, CommitFacts } from '../governance/commitCheck.ts';
import { POLICY_EXTENSION_TYPE, type Policy, type PolicyAction } from '../governance/policy.ts';
import { decodePolicy, encodePolicy } from '../governance/policyCodec.ts';
import { applyAction, isBanned, isRefusal } from '../governance/rules.ts';
import { policyError } from '../governance/commitCheck.ts';
import { FoyerError } from '../protocol/errors.ts';
import { credentialAt, membersOf } from './groupView.ts';
import type { Group } from './groupTypes.ts';
import { deviceCredentialOf } from './trust.ts';

/** `user@domain` of a credential: the identity the policy speaks of. */
export function identityOf(c: { user: string; domain: string }): string {
  return formatAddress(c);
}

export function leafDeviceOf(c: DeviceCredential): LeafDevice {
  return { identity: identityOf(c), deviceId: c.deviceId };
}

/** The policy extension's data in a list of group-context extensions, if any. */
export function policyBytesIn(extensions: readonly Extension[]): Uint8Array | undefined {
  return extensions.find((e) => e.extensionType === POLICY_EXTENSION_TYPE)?.extensionData;
}

/**
 * The policy of a state's current epoch; undefined for a group made before governance.
 * @throws FoyerError crypto_failed when the group holds a malformed policy
 */
export function policyOfState(state: ClientState): Policy | undefined {
  const bytes = policyBytesIn(state.groupContext.extensions);
  if (bytes === undefined) return undefined;
  try {
    return decodePolicy(bytes);
  } catch (err) {
    if (err instanceof FoyerError) throw new FoyerError('crypto_failed', err.message);
    throw err;
  }
}

/** The group's policy at its current epoch (undefined: an ungoverned group). */
export function policyOf(g: Group): Policy | undefined {
  return policyOfState(g.state);
}

/** The creator's policy extension for a new group. */
export function policyExtension(p: Policy): Extension {
  return { extensionType: POLICY_EXTENSION_TYPE, extensionData: encodePolicy(p) };
}

/**
 * The proposal that sets the policy `by` gets by taking `action`, for a commit that leaves
 * the identities `identitiesAfter`. Other group-context extensions are kept (a
 * group_context_extensions proposal replaces the whole list).
 * @throws FoyerError forbidden_by_policy when the policy does not allow it; usage when the
 *   group has no policy
 */
export function policyProposal(
  g: Group,
  action: PolicyAction,
  identitiesAfter: ReadonlySet<string>,
): Proposal {
  const before = policyOf(g);
  if (before === undefined) {
    throw new FoyerError('usage', 'this conversation was created without a group policy');
  }
  const me = credentialAt(g.state.ratchetTree, g.state.privatePath.leafIndex);
  if (me === undefined) throw new FoyerError('internal', 'own leaf not found');
  const next = applyAction(before, action, identityOf(me), identitiesAfter);
  if (isRefusal(next)) throw policyError(next);
  const others = g.state.groupContext.extensions.filter(
    (e) => e.extensionType !== POLICY_EXTENSION_TYPE,
  );
  return {
    proposalType: 'group_context_extensions',
    groupContextExtensions: { extensions: [...others, policyExtension(next)] },
  };
}

/** The identities with a leaf once `removedLeaves` are gone (before any add). */
export function identitiesWithout(g: Group, removedLeaves: readonly number[]): Set<string> {
  return new Set(
    membersOf(g)
      .filter((m) => !removedLeaves.includes(m.leaf))
      .map((m) => identityOf(m.credential)),
  );
}

/**
 * What a commit does, from its proposals, for the policy check.
 * @throws FoyerError crypto_failed when a leaf or key package holds no Foyer credential
 */
export function commitFacts(
  tree: RatchetTree,
  committer: DeviceCredential,
  proposals: readonly ProposalWithSender[],
  joiner: DeviceCredential | undefined,
): CommitFacts {
  const before: LeafDevice[] = [];
  for (let leaf = 0; leaf * 2 < tree.length; leaf++) {
    const c = credentialAt(tree, leaf);
    if (c !== undefined) before.push(leafDeviceOf(c));
  }
  const removed: LeafDevice[] = [];
  const added: LeafDevice[] = [];
  let newPolicy: Uint8Array | undefined;
  for (const { proposal } of proposals) {
    if (proposal.proposalType === 'remove') {
      const c = credentialAt(tree, proposal.remove.removed);
      if (c !== undefined) removed.push(leafDeviceOf(c));
    } else if (proposal.proposalType === 'add') {
      added.push(leafDeviceOf(deviceCredentialOf(proposal.add.keyPackage.leafNode.credential)));
    } else if (proposal.proposalType === 'group_context_extensions') {
      // A list without the policy would drop it: an empty one reads as such and is refused.
      newPolicy = policyBytesIn(proposal.groupContextExtensions.extensions) ?? new Uint8Array([0]);
    }
  }
  if (joiner !== undefined) added.push(leafDeviceOf(joiner));
  return { committer: leafDeviceOf(committer), before, removed, added, newPolicy };
}

/** Leaves of banned identities or devices still in the tree (a ban's follow-up removes them). */
export function bannedLeaves(g: Group): number[] {
  const p = policyOf(g);
  if (p === undefined) return [];
  return membersOf(g)
    .filter((m) => isBanned(p, identityOf(m.credential), m.credential.deviceId))
    .map((m) => m.leaf);
}
