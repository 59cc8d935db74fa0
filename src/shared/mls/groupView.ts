/** Read-only accessors over a Group. */
import type { ClientState, RatchetTree } from 'ts-mls';
import type { DeviceCredential } from '../protocol/credential.ts';
import { FoyerError } from '../protocol/errors.ts';
import type { Group, Member } from './groupTypes.ts';
import { deviceCredentialOf } from './trust.ts';

/** Wraps a ts-mls state as an (immutable) Group. */
export function groupOf(state: ClientState): Group {
  return Object.freeze({ state });
}

/** The group id (a copy). */
export function groupIdOf(g: Group): Uint8Array {
  return g.state.groupContext.groupId.slice();
}

/** The group's current epoch. */
export function epochOf(g: Group): number {
  return Number(g.state.groupContext.epoch);
}

/** This device's leaf index. */
export function myLeafOf(g: Group): number {
  return g.state.privatePath.leafIndex;
}

/** True once this device processed a commit that removed it. */
export function isRemoved(g: Group): boolean {
  return g.state.groupActiveState.kind === 'removedFromGroup';
}

/**
 * The Foyer credential at `leaf` of `tree`, or undefined when the leaf is blank.
 * @throws FoyerError crypto_failed when the leaf holds no Foyer credential (corrupt state)
 */
export function credentialAt(tree: RatchetTree, leaf: number): DeviceCredential | undefined {
  const node = tree[leaf * 2];
  if (node === undefined || node.nodeType !== 'leaf') return undefined;
  try {
    return deviceCredentialOf(node.leaf.credential);
  } catch (err) {
    if (err instanceof FoyerError) {
      throw new FoyerError(
        'crypto_failed',
        `leaf ${leaf} holds no Foyer credential: ${err.message}`,
      );
    }
    throw err;
  }
}

/** The current members, by leaf index. */
export function membersOf(g: Group): Member[] {
  const tree = g.state.ratchetTree;
  const members: Member[] = [];
  for (let leaf = 0; leaf * 2 < tree.length; leaf++) {
    const credential = credentialAt(tree, leaf);
    if (credential !== undefined) members.push({ leaf, credential });
  }
  return members;
}
