/**
 * The federation query layer: pinned peers and their deny flags, the per-peer outbound
 * queue and its retry state, items that failed for good, and digests of received items.
 */
import type { Db } from '../storage/sqlite.ts';
import type { WriteTx } from '../storage/tx.ts';
import type { ItemKind } from '../mailbox/mailbox.ts';
import type { KeyRotation } from '../../shared/protocol/keyRotation.ts';

export interface PeerRow {
  domain: string;
  public_key: Uint8Array | null;
  pinned_at: number | null;
  denied: number;
}

export interface OutboundRow {
  seq: number;
  domain: string;
  kind: ItemKind;
  group_id: Uint8Array;
  msg_id: string;
  body: Uint8Array;
  /** JSON array of the recipients' device ids at that domain. */
  devices: string;
  created_at: number;
  /** The submitting device, for application messages (null for others). */
  sender_domain: string | null;
  sender_device: string | null;
  /** JSON array of the receiving instance's member devices after the item (null: not told). */
  members: string | null;
}

export interface RetryRow {
  domain: string;
  attempts: number;
  next_at: number;
  last_error: string;
}

export class FederationStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  peer(domain: string): PeerRow | undefined {
    return this.db
      .prepare<[string], PeerRow>('SELECT * FROM federation_peers WHERE domain = ?')
      .get(domain);
  }

  peers(): PeerRow[] {
    return this.db.prepare<[], PeerRow>('SELECT * FROM federation_peers ORDER BY domain').all();
  }

  /** Pins a key seen for the first time (never replaces one already pinned). */
  pin(_tx: WriteTx, domain: string, key: Uint8Array, now: number): void {
    this.db
      .prepare(
        `INSERT INTO federation_peers (domain, public_key, pinned_at) VALUES (?, ?, ?)
         ON CONFLICT(domain) DO UPDATE SET public_key = excluded.public_key,
           pinned_at = excluded.pinned_at WHERE public_key IS NULL`,
      )
      .run(domain, Buffer.from(key), now);
  }

  /**
   * Follows a peer's rotations: records each statement and moves the pin to the last one's
   * new key, only if the pin is still `from` (another request may have moved it meanwhile).
   * @returns whether the pin moved
   */
  rotate(
    _tx: WriteTx,
    domain: string,
    from: Uint8Array,
    followed: readonly KeyRotation[],
    now: number,
  ): boolean {
    const last = followed.at(-1);
    if (last === undefined) return false;
    const moved = this.db
      .prepare(
        'UPDATE federation_peers SET public_key = ?, pinned_at = ? WHERE domain = ? AND public_key = ?',
      )
      .run(Buffer.from(last.newKey), now, domain, Buffer.from(from)).changes;
    if (moved === 0) return false;
    this.recordRotations(_tx, domain, followed, now);
    return true;
  }

  /** Records rotation statements of `domain` already checked (first kept on a repeat). */
  recordRotations(_tx: WriteTx, domain: string, list: readonly KeyRotation[], now: number): void {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO federation_peer_rotations
         (domain, old_key, new_key, at, signature, recorded_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    for (const r of list) {
      insert.run(
        domain,
        Buffer.from(r.oldKey),
        Buffer.from(r.newKey),
        r.at,
        Buffer.from(r.signature),
        now,
      );
    }
  }

  /** The rotations of `domain` this instance followed, oldest first. */
  rotations(domain: string): KeyRotation[] {
    return this.db
      .prepare<
        [string],
        { old_key: Uint8Array; new_key: Uint8Array; at: number; signature: Uint8Array }
      >(
        'SELECT old_key, new_key, at, signature FROM federation_peer_rotations WHERE domain = ? ORDER BY seq',
      )
      .all(domain)
      .map((r) => ({
        oldKey: new Uint8Array(r.old_key),
        newKey: new Uint8Array(r.new_key),
        at: r.at,
        signature: new Uint8Array(r.signature),
      }));
  }

  setDenied(_tx: WriteTx, domain: string, denied: boolean): void {
    this.db
      .prepare(
        `INSERT INTO federation_peers (domain, denied) VALUES (?, ?)
         ON CONFLICT(domain) DO UPDATE SET denied = excluded.denied`,
      )
      .run(domain, denied ? 1 : 0);
  }

  enqueue(_tx: WriteTx, item: Omit<OutboundRow, 'seq'>): void {
    this.db
      .prepare(
        `INSERT INTO federation_outbox (domain, kind, group_id, msg_id, body, devices, created_at,
           sender_domain, sender_device, members)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        item.domain,
        item.kind,
        Buffer.from(item.group_id),
        item.msg_id,
        Buffer.from(item.body),
        item.devices,
        item.created_at,
        item.sender_domain,
        item.sender_device,
        item.members,
      );
  }

  /** The oldest items queued for `domain`, at most `limit`, in queue order. */
  head(domain: string, limit: number): OutboundRow[] {
    return this.db
      .prepare<[string, number], OutboundRow>(
        'SELECT * FROM federation_outbox WHERE domain = ? ORDER BY seq LIMIT ?',
      )
      .all(domain, limit);
  }

  queued(domain: string): number {
    return this.db
      .prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM federation_outbox WHERE domain = ?',
      )
      .get(domain)!.n;
  }

  /** Domains with queued items. */
  pendingDomains(): string[] {
    return this.db
      .prepare<[], { domain: string }>('SELECT DISTINCT domain FROM federation_outbox')
      .all()
      .map((r) => r.domain);
  }

  /** Removes items up to `seq` (inclusive) for `domain`: delivered or failed for good. */
  drop(_tx: WriteTx, domain: string, upTo: number): void {
    this.db
      .prepare('DELETE FROM federation_outbox WHERE domain = ? AND seq <= ?')
      .run(domain, upTo);
  }

  retry(domain: string): RetryRow | undefined {
    return this.db
      .prepare<[string], RetryRow>('SELECT * FROM federation_retry WHERE domain = ?')
      .get(domain);
  }

  setRetry(_tx: WriteTx, row: RetryRow): void {
    this.db
      .prepare(
        `INSERT INTO federation_retry (domain, attempts, next_at, last_error) VALUES (?, ?, ?, ?)
         ON CONFLICT(domain) DO UPDATE SET attempts = excluded.attempts,
           next_at = excluded.next_at, last_error = excluded.last_error`,
      )
      .run(row.domain, row.attempts, row.next_at, row.last_error);
  }

  clearRetry(_tx: WriteTx, domain: string): void {
    this.db.prepare('DELETE FROM federation_retry WHERE domain = ?').run(domain);
  }

  markFailed(_tx: WriteTx, msgId: string, domain: string, reason: string, now: number): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO federation_failed (msg_id, domain, reason, failed_at) VALUES (?, ?, ?, ?)',
      )
      .run(msgId, domain, reason, now);
  }

  failed(msgId: string): Array<{ domain: string; reason: string }> {
    return this.db
      .prepare<[string], { domain: string; reason: string }>(
        'SELECT domain, reason FROM federation_failed WHERE msg_id = ?',
      )
      .all(msgId);
  }

  /** The instance that is the hub of a group this instance follows, if known. */
  hubOf(groupId: Uint8Array): string | undefined {
    return this.db
      .prepare<[Buffer], { hub: string }>('SELECT hub FROM federation_groups WHERE group_id = ?')
      .get(Buffer.from(groupId))?.hub;
  }

  /** Records `hub` as the hub of `groupId` unless one is already recorded. */
  setHub(_tx: WriteTx, groupId: Uint8Array, hub: string, now: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO federation_groups (group_id, hub, since) VALUES (?, ?, ?)')
      .run(Buffer.from(groupId), hub, now);
  }

  /**
   * This instance's member devices of a group hubbed elsewhere, as its hub last told them
   * (undefined: never told, e.g. by a hub that does not send them).
   */
  members(groupId: Uint8Array): string[] | undefined {
    const row = this.db
      .prepare<[Buffer], { devices: string }>(
        'SELECT devices FROM federation_members WHERE group_id = ?',
      )
      .get(Buffer.from(groupId));
    return row === undefined ? undefined : (JSON.parse(row.devices) as string[]);
  }

  /** Replaces the member devices of a group with what its hub's latest item says. */
  setMembers(_tx: WriteTx, groupId: Uint8Array, devices: readonly string[], now: number): void {
    this.db
      .prepare(
        `INSERT INTO federation_members (group_id, devices, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(group_id) DO UPDATE SET devices = excluded.devices,
           updated_at = excluded.updated_at`,
      )
      .run(Buffer.from(groupId), JSON.stringify(devices), now);
  }

  /** Records a received item's digest; false when it was already there. */
  markSeen(_tx: WriteTx, digest: Uint8Array, forgetDay: number): boolean {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO federation_seen (digest, forget_day) VALUES (?, ?)')
        .run(Buffer.from(digest), forgetDay).changes === 1
    );
  }

  forgetSeen(_tx: WriteTx, day: number): void {
    this.db.prepare('DELETE FROM federation_seen WHERE forget_day < ?').run(day);
  }
}
