/**
 * The hub's view of a group's leaves. The hub holds no keys, but it must know which device
 * sits at which leaf to fan messages out and to read Remove proposals. It mirrors RFC 9420
 * §12.3: a commit applies its removes first, then places each add in the leftmost blank
 * leaf (extending the tree on the right when there is none).
 */
import { FoyerError } from '../../shared/protocol/errors.ts';

export interface Member {
  deviceId: string;
  user: string;
  domain: string;
}

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
  const devices = new Set([...leaves.values()].map((m) => m.deviceId));
  const added: LeafChange['added'] = [];
  for (const member of adds) {
    if (devices.has(member.deviceId)) {
      throw new FoyerError('bad_request', 'commit adds a device that is already a member');
    }
    let leaf = 0;
    while (leaves.has(leaf)) leaf++;
    leaves.set(leaf, member);
    devices.add(member.deviceId);
    added.push({ leaf, member });
  }
  return { leaves, added, removed };
}

export function leafOf(leaves: Leaves, deviceId: string): number | undefined {
  for (const [leaf, m] of leaves) if (m.deviceId === deviceId) return leaf;
  return undefined;
}
