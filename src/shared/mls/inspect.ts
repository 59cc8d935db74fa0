/**
 * What the hub (the server ordering a group's handshake messages) can read from MLS messages
 * without being a member and without keys: group, epoch, the kind of message and, for
 * commits (PublicMessages), the membership changes. Nothing here verifies signatures; it
 * only parses, strictly and with bounds. Every refusal is FoyerError bad_request (or
 * payload_too_large above MAX_MLS_MESSAGE_BYTES).
 */
import type { Credential, KeyPackage, Sender, Signature } from 'ts-mls';
// Submodules, not ts-mls's root: the server (the only user of the verified inspection)
// checks signatures but never runs MLS, so it need not load group operations and HPKE.
import { verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import { verify } from '../crypto/ed25519.ts';
import { equalBytes, toBase64Url } from '../protocol/bytes.ts';
import type { DeviceCredential } from '../protocol/credential.ts';
import { FoyerError } from '../protocol/errors.ts';
import { decodeMls, decodeMlsAs } from './codec.ts';
import { isLastResort } from './lastResort.ts';
import { keyPackageRef } from './refs.ts';
import { CIPHERSUITE_NAME } from './suiteName.ts';
import { POLICY_EXTENSION_TYPE } from '../governance/policy.ts';
import { deviceCredentialOf } from './trust.ts';

export type InspectedSender =
  | { kind: 'member'; leaf: number }
  /** A device joining by itself (external commit, or an add proposal for itself). */
  | { kind: 'new_member'; credential: DeviceCredential };

export type Inspected =
  | { type: 'application'; groupId: Uint8Array; epoch: number }
  | {
      type: 'commit';
      groupId: Uint8Array;
      /** The epoch the commit was made in (the group moves to epoch + 1). */
      epoch: number;
      sender: InspectedSender;
      /** Leaf indices removed by value. */
      removes: number[];
      /** Credentials of the key packages added by value, in order. */
      adds: DeviceCredential[];
      /** Proposals included by reference (the hub refuses any). */
      byReference: number;
      /**
       * The group policy the commit sets (its group-context-extensions proposal), if any; a
       * proposal whose list lacks the policy reads as one malformed byte, refused as such.
       */
      policy: Uint8Array | undefined;
    }
  | { type: 'proposal'; groupId: Uint8Array; epoch: number; sender: InspectedSender };

const WHAT = 'MLS message';

function verifyOnly(): never {
  throw new Error('the key package inspector only verifies signatures');
}

/**
 * Ed25519 verification for ts-mls's signature checks, the same function the full suite
 * uses (crypto/ed25519.ts), without building the ciphersuite (HPKE, AEAD, KDF).
 */
const VERIFY_ONLY: Signature = { verify, sign: verifyOnly, keygen: verifyOnly };

function credentialOf(credential: Credential, what: string): DeviceCredential {
  try {
    return deviceCredentialOf(credential);
  } catch (err) {
    if (err instanceof FoyerError) throw new FoyerError('bad_request', `${what}: ${err.message}`);
    throw err;
  }
}

function epochNumber(epoch: bigint): number {
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER))
    throw new FoyerError('bad_request', 'epoch too large');
  return Number(epoch);
}

/**
 * Classifies a message posted to a group.
 * @throws FoyerError bad_request when malformed or not an application message (PrivateMessage),
 *   a commit or a proposal (PublicMessage)
 */
export function inspectMessage(bytes: Uint8Array): Inspected {
  const msg = decodeMls(bytes, WHAT, 'bad_request');
  if (msg.wireformat === 'mls_private_message') {
    const pm = msg.privateMessage;
    if (pm.contentType !== 'application') {
      throw new FoyerError('bad_request', 'handshake messages must be PublicMessages');
    }
    return { type: 'application', groupId: pm.groupId.slice(), epoch: epochNumber(pm.epoch) };
  }
  if (msg.wireformat !== 'mls_public_message') {
    throw new FoyerError('bad_request', `a ${msg.wireformat} is not a group message`);
  }
  const { content } = msg.publicMessage;
  const groupId = content.groupId.slice();
  const epoch = epochNumber(content.epoch);
  if (content.contentType === 'application') {
    throw new FoyerError('bad_request', 'application messages must be PrivateMessages');
  }
  if (content.contentType === 'proposal') {
    const proposal = content.proposal;
    let sender: InspectedSender;
    if (content.sender.senderType === 'new_member_proposal') {
      if (proposal.proposalType !== 'add') {
        throw new FoyerError('bad_request', 'a new member can only propose to add itself');
      }
      const credential = proposal.add.keyPackage.leafNode.credential;
      sender = { kind: 'new_member', credential: credentialOf(credential, 'proposed key package') };
    } else {
      sender = memberSender(content.sender);
    }
    return { type: 'proposal', groupId, epoch, sender };
  }
  const commit = content.commit;
  let sender: InspectedSender;
  if (content.sender.senderType === 'new_member_commit') {
    if (commit.path === undefined) {
      throw new FoyerError('bad_request', 'an external commit must carry a path');
    }
    sender = {
      kind: 'new_member',
      credential: credentialOf(commit.path.leafNode.credential, 'joiner'),
    };
  } else {
    sender = memberSender(content.sender);
  }
  const removes: number[] = [];
  const adds: DeviceCredential[] = [];
  let byReference = 0;
  let policy: Uint8Array | undefined;
  for (const p of commit.proposals) {
    if (p.proposalOrRefType === 'reference') {
      byReference++;
    } else if (p.proposal.proposalType === 'group_context_extensions') {
      const ext = p.proposal.groupContextExtensions.extensions.find(
        (e) => e.extensionType === POLICY_EXTENSION_TYPE,
      );
      policy = ext?.extensionData.slice() ?? new Uint8Array([0]);
    } else if (p.proposal.proposalType === 'remove') {
      removes.push(p.proposal.remove.removed);
    } else if (p.proposal.proposalType === 'add') {
      adds.push(credentialOf(p.proposal.add.keyPackage.leafNode.credential, 'added key package'));
    }
  }
  return { type: 'commit', groupId, epoch, sender, removes, adds, byReference, policy };
}

function memberSender(sender: Sender): InspectedSender {
  if (sender.senderType !== 'member') {
    throw new FoyerError('bad_request', `unsupported sender type ${sender.senderType}`);
  }
  return { kind: 'member', leaf: sender.leafIndex };
}

/**
 * Group, epoch and policy (the group-context extension's data, if any) of a GroupInfo
 * (encoded MLSMessage).
 * @throws FoyerError bad_request
 */
export function inspectGroupInfo(bytes: Uint8Array): {
  groupId: Uint8Array;
  epoch: number;
  policy: Uint8Array | undefined;
} {
  const { groupInfo } = decodeMlsAs(bytes, 'mls_group_info', 'group info', 'bad_request');
  const policy = groupInfo.groupContext.extensions.find(
    (e) => e.extensionType === POLICY_EXTENSION_TYPE,
  );
  return {
    groupId: groupInfo.groupContext.groupId.slice(),
    epoch: epochNumber(groupInfo.groupContext.epoch),
    policy: policy?.extensionData.slice(),
  };
}

/**
 * The key package references a Welcome is addressed to (createKeyPackage's `ref` format).
 * @throws FoyerError bad_request
 */
export function inspectWelcome(bytes: Uint8Array): { keyPackageRefs: string[] } {
  const { welcome } = decodeMlsAs(bytes, 'mls_welcome', 'welcome', 'bad_request');
  return { keyPackageRefs: welcome.secrets.map((s) => toBase64Url(s.newMember)) };
}

export interface InspectedKeyPackage {
  /** The Foyer credential inside (signatures NOT checked here). */
  credential: DeviceCredential;
  /** The RFC 9420 KeyPackageRef, base64url (createKeyPackage's `ref`). */
  ref: string;
  /** Carries the last_resort extension: hand it out without deleting it. */
  lastResort: boolean;
  /** End of validity, in seconds since the epoch. */
  notAfter: number;
}

/**
 * Parses an uploaded key package, so the server can check it belongs to the uploading device
 * (`credential.deviceKey` and the leaf key are the same by construction of the check below).
 * @throws FoyerError bad_request (malformed, other ciphersuite, leaf key ≠ device key)
 */
export function inspectKeyPackage(bytes: Uint8Array): InspectedKeyPackage {
  return describeKeyPackage(decodeKeyPackage(bytes));
}

/**
 * inspectKeyPackage, plus the key package's and its leaf's signatures checked against the
 * leaf key (= the device key): proves the uploader holds the device key. Credential
 * signatures are still not checked (the server knows its own devices).
 * @throws FoyerError bad_request, bad_signature
 */
export async function inspectKeyPackageVerified(bytes: Uint8Array): Promise<InspectedKeyPackage> {
  const keyPackage = decodeKeyPackage(bytes);
  const described = describeKeyPackage(keyPackage);
  if (
    !(await verifyLeafNodeSignatureKeyPackage(keyPackage.leafNode, VERIFY_ONLY)) ||
    !(await verifyKeyPackage(keyPackage, VERIFY_ONLY))
  ) {
    throw new FoyerError('bad_signature', 'key package signature does not verify');
  }
  return described;
}

function decodeKeyPackage(bytes: Uint8Array): KeyPackage {
  const { keyPackage } = decodeMlsAs(bytes, 'mls_key_package', 'key package', 'bad_request');
  if (keyPackage.cipherSuite !== CIPHERSUITE_NAME) {
    throw new FoyerError('bad_request', `unsupported ciphersuite ${keyPackage.cipherSuite}`);
  }
  return keyPackage;
}

function describeKeyPackage(keyPackage: KeyPackage): InspectedKeyPackage {
  const leaf = keyPackage.leafNode;
  if (leaf.leafNodeSource !== 'key_package') {
    throw new FoyerError('bad_request', 'key package leaf has the wrong source');
  }
  const credential = credentialOf(leaf.credential, 'key package');
  if (!equalBytes(credential.deviceKey, leaf.signaturePublicKey)) {
    throw new FoyerError('bad_request', 'key package leaf key is not the credential device key');
  }
  const notAfter = leaf.lifetime.notAfter;
  return {
    credential,
    ref: keyPackageRef(keyPackage),
    lastResort: isLastResort(keyPackage),
    notAfter:
      notAfter > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(notAfter),
  };
}
