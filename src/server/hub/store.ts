/**
 * The hub's query layer: groups, their members (device addresses by leaf) and the digests of
 * accepted message ids, with an in-memory copy of each group touched (a household has a few dozen).
 * Writes take the writer's transaction; the cache is updated last, after every check
 * passed, and is dropped whole if a batch fails to commit.
 */
import { statementCache, type Db, type Statement } from '../storage/sqlite.ts';
import type { WriteTx } from '../storage/tx.ts';
import { toHex } from '../../shared/protocol/bytes.ts';
import type { LeafChange, Member } from './leaves.ts';
import type { Policy } from '../../shared/governance/policy.ts';
import { decodePolicy, encodePolicy } from '../../shared/governance/policyCodec.ts';
import { DAY_MS, dayOf, forgetDay, seenDigest } from './seen.ts';

export interface HubGroup {
  id: Uint8Array;
  epoch: number;
  leaves: ReadonlyMap<number, Member>;
  groupInfo: Uint8Array | undefined;
  /** The group's governance policy (undefined: created without one, ungoverned). */
  policy: Policy | undefined;
}

/**
 * Groups kept in memory, least recently used dropped first: a household's groups all fit,
 * and a member creating groups in a loop cannot grow the cache past this (each entry may
 * hold a GroupInfo of up to 512 KiB).
 */
export const GROUP_CACHE_MAX = 256;

export class HubStore {
  private readonly q: (sql: string) => Statement;
  private readonly cache = new Map<string, HubGroup>();

  constructor(db: Db) {
    this.q = statementCache(db);
  }

  get(id: Uint8Array): HubGroup | undefined {
    const key = toHex(id);
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.remember(key, cached);
      return cached;
    }
    const row = this.q('SELECT epoch, group_info, policy FROM groups WHERE id = ?').get(id) as
      { epoch: number; group_info: Uint8Array | null; policy: Uint8Array | null } | undefined;
    if (row === undefined) return undefined;
    const members = this.q(
      'SELECT leaf, device_id, user_name, domain FROM group_members WHERE group_id = ?',
    ).all(id) as Array<{ leaf: number; device_id: string; user_name: string; domain: string }>;
    const g: HubGroup = {
      id,
      epoch: row.epoch,
      groupInfo: row.group_info ?? undefined,
      policy: row.policy === null ? undefined : decodePolicy(row.policy),
      leaves: new Map(
        members.map((m) => [
          m.leaf,
          { deviceId: m.device_id, user: m.user_name, domain: m.domain },
        ]),
      ),
    };
    this.remember(key, g);
    return g;
  }

  /** A new group with its creator (a device of this instance) at leaf 0. */
  create(
    tx: WriteTx,
    id: Uint8Array,
    creator: Member,
    groupInfo: Uint8Array | undefined,
    policy: Policy | undefined,
    now: number,
  ): HubGroup {
    this.q(
      'INSERT INTO groups (id, epoch, group_info, created_at, policy) VALUES (?, 0, ?, ?, ?)',
    ).run(id, groupInfo ?? null, dayOf(now) * DAY_MS, policy ? encodePolicy(policy) : null);
    this.insertMember(tx, id, 0, creator);
    const g: HubGroup = { id, epoch: 0, groupInfo, policy, leaves: new Map([[0, creator]]) };
    this.remember(toHex(id), g);
    return g;
  }

  /** Moves a group to its next epoch with the commit's membership change. */
  advance(
    tx: WriteTx,
    g: HubGroup,
    epoch: number,
    change: LeafChange,
    groupInfo: Uint8Array | undefined,
    policy: { decoded: Policy; bytes: Uint8Array } | undefined,
  ): void {
    for (const { leaf } of change.removed) {
      this.q('DELETE FROM group_members WHERE group_id = ? AND leaf = ?').run(g.id, leaf);
    }
    for (const { leaf, member } of change.added) this.insertMember(tx, g.id, leaf, member);
    const info = groupInfo ?? null;
    this.q('UPDATE groups SET epoch = ?, group_info = ? WHERE id = ?').run(epoch, info, g.id);
    if (policy !== undefined) {
      this.q('UPDATE groups SET policy = ? WHERE id = ?').run(policy.bytes, g.id);
    }
    this.remember(toHex(g.id), {
      id: g.id,
      epoch,
      leaves: change.leaves,
      groupInfo: groupInfo,
      policy: policy?.decoded ?? g.policy,
    });
  }

  /** Deletes a group and its leaf table. */
  forget(_tx: WriteTx, id: Uint8Array): void {
    this.q('DELETE FROM group_members WHERE group_id = ?').run(id);
    this.q('DELETE FROM groups WHERE id = ?').run(id);
    this.cache.delete(toHex(id));
  }

  /** Groups in which any device of a local user (of instance `domain`) holds a leaf. */
  countForUser(userId: number, domain: string): number {
    return (
      this.q(
        `SELECT count(DISTINCT gm.group_id) AS n FROM group_members gm
           JOIN devices d ON d.id = gm.device_id WHERE d.user_id = ? AND gm.domain = ?`,
      ).get(userId, domain) as { n: number }
    ).n;
  }

  /** Cached groups (for tests). */
  cached(): number {
    return this.cache.size;
  }

  count(): number {
    return (this.q('SELECT count(*) AS n FROM groups').get() as { n: number }).n;
  }

  clear(): void {
    this.cache.clear();
  }

  /** True when this message id was accepted in this group within the dedup window. */
  wasSeen(groupId: Uint8Array, msgId: string): boolean {
    return (
      this.q('SELECT 1 FROM seen_messages WHERE digest = ?').get(seenDigest(groupId, msgId)) !==
      undefined
    );
  }

  /** Remembers an accepted message id: its digest and the day it may be forgotten only. */
  markSeen(_tx: WriteTx, groupId: Uint8Array, msgId: string, now: number): void {
    this.q('INSERT OR IGNORE INTO seen_messages (digest, forget_day) VALUES (?, ?)').run(
      seenDigest(groupId, msgId),
      forgetDay(now),
    );
  }

  /** Forgets the message ids whose window has passed. */
  forgetSeen(_tx: WriteTx, now: number): void {
    this.q('DELETE FROM seen_messages WHERE forget_day <= ?').run(dayOf(now));
  }

  /** Caches a group as the most recently used, dropping the least recently used beyond the cap. */
  private remember(key: string, g: HubGroup): void {
    this.cache.delete(key);
    this.cache.set(key, g);
    if (this.cache.size > GROUP_CACHE_MAX) {
      this.cache.delete(this.cache.keys().next().value!);
    }
  }

  private insertMember(_tx: WriteTx, id: Uint8Array, leaf: number, m: Member): void {
    this.q(
      'INSERT INTO group_members (group_id, leaf, device_id, user_name, domain) VALUES (?, ?, ?, ?, ?)',
    ).run(id, leaf, m.deviceId, m.user, m.domain);
  }
}
