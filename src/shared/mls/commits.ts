/**
 * Commits that change a group: add, remove, self-update, external join. Every commit travels
 * as a PublicMessage (the hub validates membership changes) and every Welcome and GroupInfo
 * carries the ratchet tree, so joiners need nothing else.
 */
import {
  createCommit,
  createGroupInfoWithExternalPubAndRatchetTree,
  joinGroupExternal,
  type ClientState,
  type Proposal,
  type RatchetTree,
  type Welcome,
} from 'ts-mls';
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';
import { equalBytes } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import { decodeMlsAs, encodeMls } from './codec.ts';
import { clientConfigFor, withConfig } from './config.ts';
import { cryptoFailure } from './failures.ts';
import type { CommitOutput, Group, GroupContextDeps } from './groupTypes.ts';
import { credentialAt, epochOf, groupOf, isRemoved, myLeafOf } from './groupView.ts';
import { assertOwnCredential, makeLeafKeyPackage, type DeviceKeys } from './keyPackages.ts';
import { getSuite } from './suite.ts';
import { checkLeafCredential } from './trust.ts';
import { commitFacts, identitiesWithout, policyOf, policyProposal } from './governance.ts';
import { checkCommit, policyError } from '../governance/commitCheck.ts';
import { isRefusal } from '../governance/rules.ts';
import type { PolicyAction } from '../governance/policy.ts';

/**
 * Refuses to act for a device removed from the group.
 * @throws FoyerError not_member once this device was removed
 */
export function assertActive(g: Group): void {
  if (isRemoved(g)) throw new FoyerError('not_member', 'this device was removed from the group');
}

/** Encoded GroupInfo (external_pub + ratchet_tree) of the state's current epoch. */
export async function encodedGroupInfo(state: ClientState): Promise<Uint8Array> {
  const suite = await getSuite();
  const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(state, [], suite);
  return encodeMls({ version: 'mls10', wireformat: 'mls_group_info', groupInfo });
}

async function commit(
  g: Group,
  proposals: Proposal[],
  deps: GroupContextDeps,
  what: string,
): Promise<{ output: CommitOutput; welcome: Welcome | undefined }> {
  assertActive(g);
  assertPolicyAllows(g, proposals);
  const suite = await getSuite();
  let result;
  try {
    result = await createCommit(
      { state: withConfig(g.state, deps.trust), cipherSuite: suite },
      { extraProposals: proposals, wireAsPublicMessage: true, ratchetTreeExtension: true },
    );
  } catch (err) {
    throw cryptoFailure(err, `cannot ${what}`);
  }
  // `result.consumed` is deliberately not zeroed: those arrays are shared with the old state,
  // which must stay usable until the hub accepts this commit.
  return {
    output: {
      group: groupOf(result.newState),
      commit: encodeMls(result.commit),
      groupInfo: await encodedGroupInfo(result.newState),
      epoch: epochOf(g),
    },
    welcome: result.welcome,
  };
}

/**
 * Refuses early, with the rule, a commit the group policy would make every member (and the
 * hub) refuse.
 * @throws FoyerError forbidden_by_policy
 */
function assertPolicyAllows(g: Group, proposals: Proposal[]): void {
  const leaf = myLeafOf(g);
  const me = credentialAt(g.state.ratchetTree, leaf);
  if (me === undefined) throw new FoyerError('internal', 'own leaf not found');
  const withSender = proposals.map((proposal) => ({ proposal, senderLeafIndex: leaf }));
  const verdict = checkCommit(
    policyOf(g),
    commitFacts(g.state.ratchetTree, me, withSender, undefined),
  );
  if (isRefusal(verdict)) throw policyError(verdict);
}

/**
 * Adds devices by their key packages (encoded MLSMessage). Each package's credential is
 * checked first, so a refusal names the package (`details.index`).
 * @throws FoyerError crypto_failed (bad or refused package), usage, not_member
 */
export async function addMembers(
  g: Group,
  keyPackages: Uint8Array[],
  deps: GroupContextDeps,
): Promise<CommitOutput & { welcome: Uint8Array }> {
  if (keyPackages.length === 0) throw new FoyerError('usage', 'addMembers needs key packages');
  const proposals: Proposal[] = [];
  for (const [index, bytes] of keyPackages.entries()) {
    let keyPackage;
    try {
      keyPackage = decodeMlsAs(bytes, 'mls_key_package', 'key package', 'crypto_failed').keyPackage;
    } catch (err) {
      throw cryptoFailure(err, `key package ${index}`, { index });
    }
    const leaf = keyPackage.leafNode;
    const check = await checkLeafCredential(leaf.credential, leaf.signaturePublicKey, deps.trust);
    if (!check.ok) {
      throw new FoyerError('crypto_failed', `key package ${index} refused: ${check.reason}`, {
        index,
      });
    }
    proposals.push({ proposalType: 'add', add: { keyPackage } });
  }
  const { output, welcome } = await commit(g, proposals, deps, 'add members');
  if (welcome === undefined) throw new FoyerError('internal', 'add commit produced no welcome');
  return {
    ...output,
    welcome: encodeMls({ version: 'mls10', wireformat: 'mls_welcome', welcome }),
  };
}

/**
 * Removes the devices at `leaves`. A device cannot remove itself (RFC 9420 forbids it):
 * another member commits its removal.
 * @throws FoyerError usage (blank leaf, own leaf, duplicate), crypto_failed, not_member
 */
export async function removeMembers(
  g: Group,
  leaves: number[],
  deps: GroupContextDeps,
): Promise<CommitOutput> {
  if (leaves.length === 0) throw new FoyerError('usage', 'removeMembers needs leaves');
  if (new Set(leaves).size !== leaves.length) throw new FoyerError('usage', 'duplicate leaves');
  for (const leaf of leaves) {
    if (!Number.isInteger(leaf) || leaf < 0 || g.state.ratchetTree[leaf * 2] === undefined) {
      throw new FoyerError('usage', `leaf ${leaf} is not a member`);
    }
    if (leaf === myLeafOf(g)) throw new FoyerError('usage', 'a device cannot remove itself');
  }
  const proposals: Proposal[] = leaves.map((removed) => ({
    proposalType: 'remove',
    remove: { removed },
  }));
  return (await commit(g, proposals, deps, 'remove members')).output;
}

/**
 * Commits a policy action (promote, vote, profile…) as a commit that changes only the policy.
 * When a ban carries, the banned leaves stay until the next commit, which must remove them
 * (bannedLeaves): make it at once.
 * @throws FoyerError forbidden_by_policy (with details.rule), usage, crypto_failed, not_member
 */
export async function commitPolicy(
  g: Group,
  action: PolicyAction,
  deps: GroupContextDeps,
): Promise<CommitOutput> {
  const proposal = policyProposal(g, action, identitiesWithout(g, []));
  return (await commit(g, [proposal], deps, 'change the group policy')).output;
}

/**
 * An empty commit with an update path: fresh leaf and path keys for this device, which is
 * what heals the group after a compromise (schedule it).
 * @throws FoyerError crypto_failed, not_member
 */
export async function selfUpdate(g: Group, deps: GroupContextDeps): Promise<CommitOutput> {
  return (await commit(g, [], deps, 'self-update')).output;
}

/**
 * Joins a group from its GroupInfo (encoded MLSMessage with external_pub and ratchet_tree)
 * by an external commit. With `resync`, replaces this device's former leaf (state lost).
 * `epoch` in the output is the GroupInfo's epoch, the one the commit is made in.
 * @throws FoyerError crypto_failed
 */
export async function joinExternal(
  groupInfo: Uint8Array,
  me: DeviceKeys,
  deps: GroupContextDeps,
  options: { resync?: boolean } = {},
): Promise<CommitOutput> {
  const info = decodeMlsAs(groupInfo, 'mls_group_info', 'group info', 'crypto_failed').groupInfo;
  const resync = options.resync ?? false;
  // ts-mls would remove a nonsensical leaf index if the device had no leaf to replace.
  if (resync && !hasLeafWithKey(ratchetTreeFromExtension(info) ?? [], me.signature.publicKey)) {
    throw new FoyerError('usage', 'resync: this device has no leaf in the group');
  }
  await assertOwnCredential(me, deps.trust);
  const suite = await getSuite();
  const { publicPackage, privatePackage } = await makeLeafKeyPackage(me);
  let joined;
  try {
    joined = await joinGroupExternal(
      info,
      publicPackage,
      privatePackage,
      resync,
      suite,
      undefined,
      clientConfigFor(deps.trust),
    );
  } catch (err) {
    throw cryptoFailure(err, 'cannot join by external commit');
  }
  return {
    group: groupOf(joined.newState),
    commit: encodeMls({
      version: 'mls10',
      wireformat: 'mls_public_message',
      publicMessage: joined.publicMessage,
    }),
    groupInfo: await encodedGroupInfo(joined.newState),
    epoch: Number(info.groupContext.epoch),
  };
}

function hasLeafWithKey(tree: RatchetTree, signatureKey: Uint8Array): boolean {
  return tree.some(
    (n) => n?.nodeType === 'leaf' && equalBytes(n.leaf.signaturePublicKey, signatureKey),
  );
}
