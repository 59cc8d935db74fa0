/**
 * The "household-25" population (shared/bench/WORKLOAD.md), generalised to N users so that
 * a smoke run can use fewer: N users × 2 devices; one household group of everyone; groups of
 * 5 consecutive users; one-to-one conversations (i, i+1 mod N). With N = 25 that is exactly
 * 50 devices and 31 groups (1 + 5 + 25).
 */

export const DEVICES_PER_USER = 2;
const CIRCLE_SIZE = 5;

export type GroupKind = 'household' | 'circle' | 'pair';

export interface BenchGroup {
  index: number;
  kind: GroupKind;
  /** User indices, in the order the creator adds them (the first one creates the group). */
  users: number[];
  /** Device indices of every member (leaves), ascending. */
  devices: number[];
  /** The device that creates the group: the first user's first device. */
  creator: number;
}

export interface BenchDevice {
  index: number;
  user: number;
  /** Groups this device is a leaf of. */
  groups: number[];
}

export interface Population {
  users: number;
  devices: BenchDevice[];
  groups: BenchGroup[];
}

/** Device index of a user's k-th device. */
export function deviceOf(user: number, k: number): number {
  return user * DEVICES_PER_USER + k;
}

/**
 * Builds the population for `users` users (2 or more).
 * @throws Error when fewer than 2 users are asked for
 */
export function buildPopulation(users: number): Population {
  if (!Number.isInteger(users) || users < 2)
    throw new Error('the population needs at least 2 users');
  const memberSets: Array<{ kind: GroupKind; users: number[] }> = [];
  memberSets.push({ kind: 'household', users: range(0, users) });
  for (let start = 0; start < users; start += CIRCLE_SIZE) {
    const circle = range(start, Math.min(start + CIRCLE_SIZE, users));
    if (circle.length >= 2) memberSets.push({ kind: 'circle', users: circle });
  }
  // With two users, (0,1) and (1,0) would be the same conversation twice.
  const pairs = users === 2 ? 1 : users;
  for (let i = 0; i < pairs; i++) memberSets.push({ kind: 'pair', users: [i, (i + 1) % users] });

  const groups: BenchGroup[] = memberSets.map((s, index) => ({
    index,
    kind: s.kind,
    users: s.users,
    devices: s.users
      .flatMap((u) => range(0, DEVICES_PER_USER).map((k) => deviceOf(u, k)))
      .sort((a, b) => a - b),
    creator: deviceOf(s.users[0]!, 0),
  }));
  const devices: BenchDevice[] = range(0, users * DEVICES_PER_USER).map((index) => ({
    index,
    user: Math.floor(index / DEVICES_PER_USER),
    groups: groups.filter((g) => g.devices.includes(index)).map((g) => g.index),
  }));
  return { users, devices, groups };
}

/** How many devices receive a message `sender` sends to `group` (every member but the sender). */
export function recipientsOf(group: BenchGroup): number {
  return group.devices.length - 1;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
