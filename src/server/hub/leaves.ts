/**
 * The hub's view of a group's leaves. The hub holds no keys, but it must know which device
 * sits at which leaf to fan messages out and to read Remove proposals. It mirrors RFC 9420
 * §12.3: a commit applies its removes first, then places each add in the leftmost blank
 * leaf (extending the tree on the right when there is none).
 */
import { FoyerError } from '../../shared/protocol/errors.ts';
import { sameDevice, type DeviceAddress } from '../delivery/address.ts';

/** A leaf's device, by address: it may live on this instance or another. */
export type Member = DeviceAddress;

export type Leaves = ReadonlyMap<number, Member>;

export interface LeafChange {
  leaves: Map<number, Member>;
  added: Array<{ leaf: number; member: Member }>;
  removed: Array<{ leaf: number; member: Member }>;
}

/** Applies a commit's removes then adds. @throws FoyerError bad_request on an impossible change */
export function applyCommit(current: Leaves, removes: number[], adds: Member[]): LeafChange {
  const leaves = new Map(current);
  const removed: LeafChange['removed'] = [];
  for (const leaf of removes) {
    const member = leaves.get(leaf);
    if (member === undefined) {
      throw new FoyerError('bad_request', `commit removes leaf ${leaf}, which is blank`);
    }
    leaves.delete(leaf);
    removed.push({ leaf, member });
  }
  const added: LeafChange['added'] = [];
  for (const member of adds) {
    if (leafOf(leaves, member) !== undefined) {
      throw new FoyerError('bad_request', 'commit adds a device that is already a member');
    }
    let leaf = 0;
    while (leaves.has(leaf)) leaf++;
    leaves.set(leaf, member);
    added.push({ leaf, member });
  }
  return { leaves, added, removed };
}

/** The leaf of a device, by address (a device id alone may exist on several instances). */
export function leafOf(leaves: Leaves, device: DeviceAddress): number | undefined {
  for (const [leaf, m] of leaves) if (sameDevice(m, device)) return leaf;
  return undefined;
}
