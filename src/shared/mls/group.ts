/**
 * A thin, explicit API over ts-mls's immutable ClientState. Every operation returns a NEW
 * Group and never mutates the old one: the engine adopts a commit's state only after the hub
 * accepted the commit (on `wrong_epoch` it drops the pending state, processes what arrived
 * and retries). Application messages are PrivateMessages; commits are PublicMessages.
 */
import {
  createApplicationMessage,
  createGroup as mlsCreateGroup,
  emptyPskIndex,
  joinGroup,
} from 'ts-mls';
import { toBase64Url } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import { decodeMlsAs, encodeMls } from './codec.ts';
import { MAX_APPLICATION_MESSAGE } from '../protocol/api.ts';
import { assertActive, encodedGroupInfo } from './commits.ts';
import { clientConfigFor, withConfig } from './config.ts';
import { cryptoFailure } from './failures.ts';
import type { Group, GroupContextDeps } from './groupTypes.ts';
import { groupOf } from './groupView.ts';
import {
  assertOwnCredential,
  decodePrivateKeyPackage,
  makeLeafKeyPackage,
  type DeviceKeys,
} from './keyPackages.ts';
import { keyPackageRef } from './refs.ts';
import { getSuite } from './suite.ts';
import { identityOf, policyExtension } from './governance.ts';
import { initialPolicy } from '../governance/policy.ts';
import { decodeCredential } from '../protocol/credential.ts';

export type { CommitOutput, Group, GroupContextDeps, Member, Processed } from './groupTypes.ts';
export type { DeviceKeys } from './keyPackages.ts';
export type { ProcessFailure } from './failures.ts';
export { addMembers, commitPolicy, removeMembers, selfUpdate, joinExternal } from './commits.ts';
export { bannedLeaves, identityOf, policyOf } from './governance.ts';
export { processMessage } from './process.ts';
export { decodeGroup, encodeGroup, GROUP_STATE_VERSION } from './groupState.ts';
export { epochOf, groupIdOf, isRemoved, membersOf, myLeafOf } from './groupView.ts';

/** Group ids are chosen by their creator; this bounds what a state and the hub must carry. */
export const MAX_GROUP_ID_BYTES = 64;
/** Leaves room under the hub's MAX_APPLICATION_MESSAGE for framing, signature, tag and padding. */
export const MAX_PLAINTEXT_BYTES = MAX_APPLICATION_MESSAGE - 4096;

/**
 * Creates a one-member group (epoch 0) with this device as leaf 0 and its identity as the
 * only admin of the group policy.
 * @throws FoyerError usage (bad group id), crypto_failed (own credential refused)
 */
export async function createGroup(
  groupId: Uint8Array,
  me: DeviceKeys,
  deps: GroupContextDeps,
): Promise<Group> {
  if (groupId.length === 0 || groupId.length > MAX_GROUP_ID_BYTES) {
    throw new FoyerError('usage', `group id must be 1 to ${MAX_GROUP_ID_BYTES} bytes`);
  }
  await assertOwnCredential(me, deps.trust);
  const suite = await getSuite();
  const { publicPackage, privatePackage } = await makeLeafKeyPackage(me);
  try {
    const state = await mlsCreateGroup(
      groupId.slice(),
      publicPackage,
      privatePackage,
      [policyExtension(initialPolicy(identityOf(decodeCredential(me.credential))))],
      suite,
      clientConfigFor(deps.trust),
    );
    return groupOf(state);
  } catch (err) {
    throw cryptoFailure(err, 'cannot create group');
  }
}

/** The GroupInfo of the group's current epoch (external_pub + ratchet_tree), e.g. for the hub. */
export function groupInfoOf(g: Group): Promise<Uint8Array> {
  return encodedGroupInfo(g.state);
}

/**
 * The key package references a Welcome is addressed to (same format as createKeyPackage's
 * `ref`), so a device finds which stored private package to join with.
 * @throws FoyerError crypto_failed when the Welcome is malformed
 */
export function welcomeKeyPackageRefs(welcome: Uint8Array): string[] {
  const w = decodeMlsAs(welcome, 'mls_welcome', 'welcome', 'crypto_failed').welcome;
  return w.secrets.map((s) => toBase64Url(s.newMember));
}

/**
 * Joins from a Welcome with the stored key package it names. The Welcome's ratchet tree and
 * every credential in it go through the authentication service.
 * @throws FoyerError crypto_failed (not for this package, refused credential, bad signature…)
 */
export async function joinFromWelcome(
  welcome: Uint8Array,
  keyPackage: { publicPackage: Uint8Array; privatePackage: Uint8Array },
  deps: GroupContextDeps,
): Promise<Group> {
  const w = decodeMlsAs(welcome, 'mls_welcome', 'welcome', 'crypto_failed').welcome;
  const kp = decodeMlsAs(
    keyPackage.publicPackage,
    'mls_key_package',
    'key package',
    'crypto_failed',
  ).keyPackage;
  const privateKeys = decodePrivateKeyPackage(keyPackage.privatePackage);
  const ref = keyPackageRef(kp);
  if (!w.secrets.some((s) => toBase64Url(s.newMember) === ref)) {
    throw new FoyerError('crypto_failed', 'the welcome is not addressed to this key package');
  }
  const suite = await getSuite();
  try {
    const state = await joinGroup(
      w,
      kp,
      privateKeys,
      emptyPskIndex,
      suite,
      undefined,
      undefined,
      clientConfigFor(deps.trust),
    );
    return groupOf(state);
  } catch (err) {
    throw cryptoFailure(err, 'cannot join from welcome');
  }
}

/**
 * Encrypts an application message (PrivateMessage: the sender is hidden from servers).
 * @throws FoyerError payload_too_large, not_member (removed), crypto_failed
 */
export async function encryptMessage(
  g: Group,
  plaintext: Uint8Array,
  deps: GroupContextDeps,
): Promise<{ group: Group; message: Uint8Array }> {
  assertActive(g);
  if (plaintext.length > MAX_PLAINTEXT_BYTES) {
    throw new FoyerError('payload_too_large', `message larger than ${MAX_PLAINTEXT_BYTES} bytes`);
  }
  const suite = await getSuite();
  let result;
  try {
    result = await createApplicationMessage(withConfig(g.state, deps.trust), plaintext, suite);
  } catch (err) {
    throw cryptoFailure(err, 'cannot encrypt');
  }
  // `result.consumed` (the used message key) is not zeroed: the old state shares it and may
  // still be in use by the caller; the new state no longer holds it.
  return {
    group: groupOf(result.newState),
    message: encodeMls({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: result.privateMessage,
    }),
  };
}
