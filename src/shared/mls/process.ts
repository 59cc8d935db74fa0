/**
 * Processing what arrives for a group: application messages (PrivateMessage, current or a
 * retained past epoch) and commits (PublicMessage, current epoch only). Any refusal is a
 * FoyerError crypto_failed with `details.reason` (failures.ts) so the engine can tell a
 * missing commit from a forgery.
 */
import {
  emptyPskIndex,
  processPublicMessage,
  type ClientState,
  type IncomingMessageCallback,
  type PrivateMessage,
  type ProposalWithSender,
  type PublicMessage,
} from 'ts-mls';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { equalBytes } from '../protocol/bytes.ts';
import type { DeviceCredential } from '../protocol/credential.ts';
import { FoyerError } from '../protocol/errors.ts';
import { decodeMls } from './codec.ts';
import { withConfig } from './config.ts';
import { cryptoFailure, processFailure } from './failures.ts';
import type { Group, GroupContextDeps, Processed } from './groupTypes.ts';
import { credentialAt, groupOf } from './groupView.ts';
import { getSuite } from './suite.ts';
import { deviceCredentialOf } from './trust.ts';
import { commitFacts, policyOfState } from './governance.ts';
import { checkCommit } from '../governance/commitCheck.ts';
import { isRefusal, refuse, type Refusal } from '../governance/rules.ts';

/**
 * Processes one encoded MLSMessage for `g` and returns the new state with what it carried.
 * @throws FoyerError crypto_failed with details.reason (see failures.ts); FoyerErrors from the
 *   trust store (e.g. network) pass through with their own code
 */
export async function processMessage(
  g: Group,
  message: Uint8Array,
  deps: GroupContextDeps,
): Promise<Processed> {
  const msg = decodeMls(message, 'group message', 'crypto_failed');
  if (g.state.groupActiveState.kind === 'removedFromGroup') {
    throw processFailure('removed', 'this device was removed from the group');
  }
  const state = withConfig(g.state, deps.trust);
  if (msg.wireformat === 'mls_private_message') {
    return processApplication(state, msg.privateMessage);
  }
  if (msg.wireformat === 'mls_public_message') {
    return processCommit(state, msg.publicMessage);
  }
  throw processFailure('not_supported', `a ${msg.wireformat} is not a group message`);
}

function checkGroupAndEpoch(state: ClientState, groupId: Uint8Array, epoch: bigint): void {
  if (!equalBytes(groupId, state.groupContext.groupId)) {
    throw processFailure('wrong_group', 'message for another group');
  }
  const current = state.groupContext.epoch;
  if (epoch > current) {
    throw processFailure('future_epoch', `message from epoch ${epoch}, group is at ${current}`, {
      messageEpoch: Number(epoch),
      groupEpoch: Number(current),
    });
  }
}

async function processApplication(state: ClientState, pm: PrivateMessage): Promise<Processed> {
  checkGroupAndEpoch(state, pm.groupId, pm.epoch);
  if (pm.contentType !== 'application') {
    throw processFailure('not_supported', 'handshake messages must be sent as PublicMessage');
  }
  const current = state.groupContext.epoch;
  const past = pm.epoch < current ? state.historicalReceiverData.get(pm.epoch) : undefined;
  if (pm.epoch < current && past === undefined) {
    throw processFailure('epoch_too_old', `keys of epoch ${pm.epoch} are no longer kept`, {
      messageEpoch: Number(pm.epoch),
      groupEpoch: Number(current),
    });
  }
  // This is ts-mls's processPrivateMessage for application content, called one level down
  // because processPrivateMessage does not return the sender, and decrypting the sender data
  // a second time would cost about a sixth of a decryption.
  const epochData = past ?? {
    senderDataSecret: state.keySchedule.senderDataSecret,
    secretTree: state.secretTree,
    ratchetTree: state.ratchetTree,
    groupContext: state.groupContext,
  };
  const suite = await getSuite();
  let result;
  try {
    result = await unprotectPrivateMessage(
      epochData.senderDataSecret,
      pm,
      epochData.secretTree,
      epochData.ratchetTree,
      epochData.groupContext,
      state.clientConfig.keyRetentionConfig,
      suite,
    );
  } catch (err) {
    throw cryptoFailure(err, 'cannot decrypt message', { reason: 'invalid' });
  }
  const { content } = result.content;
  if (content.contentType !== 'application' || content.sender.senderType !== 'member') {
    throw processFailure('invalid', 'a PrivateMessage must carry application data from a member');
  }
  const senderLeaf = content.sender.leafIndex;
  const sender = credentialAt(epochData.ratchetTree, senderLeaf);
  if (sender === undefined) {
    throw new FoyerError('internal', 'sender of a verified message not found');
  }
  // Only the used epoch's secret tree changes (its ratchet advanced, used keys deleted).
  const newState: ClientState =
    past === undefined
      ? { ...state, secretTree: result.tree }
      : {
          ...state,
          historicalReceiverData: new Map(state.historicalReceiverData).set(pm.epoch, {
            ...past,
            secretTree: result.tree,
          }),
        };
  return {
    kind: 'application',
    group: groupOf(newState),
    plaintext: content.applicationData,
    senderLeaf,
    sender,
    epoch: Number(pm.epoch),
  };
}

async function processCommit(state: ClientState, pm: PublicMessage): Promise<Processed> {
  const content = pm.content;
  checkGroupAndEpoch(state, content.groupId, content.epoch);
  if (content.contentType !== 'commit') {
    throw processFailure('not_supported', `standalone ${content.contentType} messages are refused`);
  }
  const current = state.groupContext.epoch;
  if (content.epoch < current) {
    throw processFailure('epoch_too_old', `commit for past epoch ${content.epoch}`, {
      messageEpoch: Number(content.epoch),
      groupEpoch: Number(current),
    });
  }
  const sender = content.sender;
  if (sender.senderType === 'member' && sender.leafIndex === state.privatePath.leafIndex) {
    throw processFailure('own_commit', 'own commit: adopt the pending state made with it');
  }
  let proposals: ProposalWithSender[] = [];
  const path = content.commit.path;
  const joiner =
    sender.senderType === 'new_member_commit' && path !== undefined
      ? deviceCredentialOf(path.leafNode.credential)
      : undefined;
  const committerBefore =
    sender.senderType === 'member' ? credentialAt(state.ratchetTree, sender.leafIndex) : joiner;
  let refusal: Refusal | undefined;
  // ts-mls calls this synchronously once the commit's signature verified; the policy check
  // is pure, so the verdict is known before any state changes.
  const capture: IncomingMessageCallback = (incoming) => {
    if (incoming.kind !== 'commit') return 'accept';
    proposals = incoming.proposals;
    if (committerBefore === undefined) {
      refusal = refuse('unknown_sender', 'the committer has no leaf');
      return 'reject';
    }
    const facts = commitFacts(state.ratchetTree, committerBefore, proposals, joiner);
    const verdict = checkCommit(policyOfState(state), facts);
    if (isRefusal(verdict)) {
      refusal = verdict;
      return 'reject';
    }
    return 'accept';
  };
  const suite = await getSuite();
  let result;
  try {
    result = await processPublicMessage(state, pm, emptyPskIndex, suite, capture);
  } catch (err) {
    throw cryptoFailure(err, 'cannot process commit', { reason: 'invalid' });
  }
  if (refusal !== undefined || result.actionTaken === 'reject') {
    const why = refusal ?? refuse('rejected', 'the commit was rejected');
    throw new FoyerError('forbidden_by_policy', `refused by the group policy: ${why.reason}`, {
      reason: 'policy',
      rule: why.rule,
    });
  }
  const newState = result.newState;
  const added: DeviceCredential[] = [];
  const removed: DeviceCredential[] = [];
  for (const { proposal } of proposals) {
    if (proposal.proposalType === 'add') {
      added.push(deviceCredentialOf(proposal.add.keyPackage.leafNode.credential));
    } else if (proposal.proposalType === 'remove') {
      const gone = credentialAt(state.ratchetTree, proposal.remove.removed);
      if (gone !== undefined) removed.push(gone);
    }
  }
  if (joiner !== undefined) added.push(joiner);
  const committer =
    path !== undefined
      ? deviceCredentialOf(path.leafNode.credential)
      : sender.senderType === 'member'
        ? credentialAt(state.ratchetTree, sender.leafIndex)
        : undefined;
  if (committer === undefined) throw new FoyerError('internal', 'committer of a commit not found');
  return {
    kind: 'commit',
    group: groupOf(newState),
    epoch: Number(content.epoch) + 1,
    removedSelf: newState.groupActiveState.kind === 'removedFromGroup',
    added,
    removed,
    committer,
  };
}
