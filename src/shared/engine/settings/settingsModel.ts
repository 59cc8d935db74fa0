/**
 * Account settings shared by all of a user's devices: the conversations they removed and the
 * people they blocked. Every change is sent as the whole state (a snapshot) through the
 * account channel (channel.ts), and every device merges what it receives into what it holds,
 * so that concurrent changes on two devices both survive and a device added later learns
 * everything from one message:
 * - removals are permanent: the removed set is a union;
 * - a block or unblock of a person is a register with a per-entry clock: the entry with the
 *   larger (clock, device) pair wins, and a device writing an entry takes a clock above every
 *   clock it has seen for it (a Lamport clock), so the later decision wins and concurrent
 *   ones are decided the same way on every device.
 * Merging is commutative, associative and idempotent, so the order in which snapshots arrive
 * does not matter. Pure: no store, no network.
 */
import { isDeviceId, isDomain, isUserName } from '../../protocol/names.ts';

/** One person's block state, with the clock that orders changes to it. */
export interface BlockEntry {
  blocked: boolean;
  clock: number;
  /** The device that wrote it: breaks ties between equal clocks. */
  device: string;
}

/** The settings as one snapshot. */
export interface AccountSettings {
  /** Ids of removed conversations, sorted, without duplicates. */
  removed: string[];
  /** Block entries by address (`user@domain`). */
  blocks: Record<string, BlockEntry>;
}

/** The most removed conversations and block entries a snapshot holds. */
export const MAX_REMOVED = 2000;
export const MAX_BLOCK_ENTRIES = 300;

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function emptySettings(): AccountSettings {
  return { removed: [], blocks: {} };
}

function isAddress(text: string): boolean {
  const at = text.lastIndexOf('@');
  return at > 0 && isUserName(text.slice(0, at)) && isDomain(text.slice(at + 1));
}

/** True when entry `a` wins over entry `b`. */
function wins(a: BlockEntry, b: BlockEntry): boolean {
  return a.clock !== b.clock ? a.clock > b.clock : a.device > b.device;
}

/** The union of two snapshots (see the file comment). */
export function mergeSettings(a: AccountSettings, b: AccountSettings): AccountSettings {
  const removed = [...new Set([...a.removed, ...b.removed])].sort();
  const blocks: Record<string, BlockEntry> = { ...a.blocks };
  for (const [address, entry] of Object.entries(b.blocks)) {
    const mine = blocks[address];
    if (mine === undefined || wins(entry, mine)) blocks[address] = entry;
  }
  return { removed, blocks: sortedBlocks(blocks) };
}

function sortedBlocks(blocks: Record<string, BlockEntry>): Record<string, BlockEntry> {
  const out: Record<string, BlockEntry> = {};
  for (const k of Object.keys(blocks).sort()) out[k] = blocks[k]!;
  return out;
}

/** True when both snapshots hold the same state. */
export function sameSettings(a: AccountSettings, b: AccountSettings): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(s: AccountSettings): AccountSettings {
  return { removed: [...s.removed].sort(), blocks: sortedBlocks(s.blocks) };
}

/** The state after this device (`device`) blocks or unblocks `address`. */
export function withBlock(
  s: AccountSettings,
  address: string,
  blocked: boolean,
  device: string,
): AccountSettings {
  const top = Math.max(0, ...Object.values(s.blocks).map((e) => e.clock));
  const entry: BlockEntry = { blocked, clock: top + 1, device };
  return { removed: s.removed, blocks: sortedBlocks({ ...s.blocks, [address]: entry }) };
}

/** The state after removing the conversations `ids`. */
export function withRemoved(s: AccountSettings, ids: readonly string[]): AccountSettings {
  return { removed: [...new Set([...s.removed, ...ids])].sort(), blocks: s.blocks };
}

/** The addresses currently blocked, sorted. */
export function blockedAddresses(s: AccountSettings): string[] {
  return Object.keys(s.blocks)
    .filter((a) => s.blocks[a]!.blocked)
    .sort();
}

export function isBlocked(s: AccountSettings, address: string): boolean {
  return s.blocks[address]?.blocked === true;
}

/** True when the snapshot is within the bounds every device accepts. */
export function withinBounds(s: AccountSettings): boolean {
  return s.removed.length <= MAX_REMOVED && Object.keys(s.blocks).length <= MAX_BLOCK_ENTRIES;
}

/**
 * Reads a snapshot as it travels (or is stored); undefined when malformed or out of bounds.
 */
export function parseSettings(o: unknown): AccountSettings | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as Record<string, unknown>;
  const { removed, blocks } = r;
  if (!Array.isArray(removed) || removed.length > MAX_REMOVED) return undefined;
  if (!removed.every((id) => typeof id === 'string' && ID_RE.test(id))) return undefined;
  if (typeof blocks !== 'object' || blocks === null || Array.isArray(blocks)) return undefined;
  const entries = Object.entries(blocks as Record<string, unknown>);
  if (entries.length > MAX_BLOCK_ENTRIES) return undefined;
  const out: Record<string, BlockEntry> = {};
  for (const [address, raw] of entries) {
    if (!isAddress(address) || typeof raw !== 'object' || raw === null) return undefined;
    const e = raw as Record<string, unknown>;
    if (
      typeof e.blocked !== 'boolean' ||
      !Number.isSafeInteger(e.clock) ||
      (e.clock as number) < 0 ||
      !isDeviceId(e.device)
    ) {
      return undefined;
    }
    out[address] = { blocked: e.blocked, clock: e.clock as number, device: e.device };
  }
  return { removed: [...new Set(removed as string[])].sort(), blocks: sortedBlocks(out) };
}
