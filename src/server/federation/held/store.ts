/**
 * The follower's held submissions: application messages of this instance's devices, for a
 * group hubbed elsewhere, that were placed with this instance's own members while the hub
 * could not be reached, and wait (in order, on disk) to be submitted to the hub.
 */
import type { Db } from '../../storage/sqlite.ts';
import type { WriteTx } from '../../storage/tx.ts';

export interface HeldRow {
  seq: number;
  hub: string;
  group_id: Uint8Array;
  msg_id: string;
  body: Uint8Array;
  sender_user: string;
  sender_device: string;
  created_at: number;
}

export class HeldStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** Holds one message; false when this group already holds that id (a client's retry). */
  add(_tx: WriteTx, row: Omit<HeldRow, 'seq'>): boolean {
    return (
      this.db
        .prepare(
          `INSERT OR IGNORE INTO federation_held (hub, group_id, msg_id, body, sender_user,
             sender_device, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.hub,
          Buffer.from(row.group_id),
          row.msg_id,
          Buffer.from(row.body),
          row.sender_user,
          row.sender_device,
          row.created_at,
        ).changes === 1
    );
  }

  /** The oldest message held for `hub`. */
  head(hub: string): HeldRow | undefined {
    return this.db
      .prepare<[string], HeldRow>(
        'SELECT * FROM federation_held WHERE hub = ? ORDER BY seq LIMIT 1',
      )
      .get(hub);
  }

  /** Hubs with held messages. */
  hubs(): string[] {
    return this.db
      .prepare<[], { hub: string }>('SELECT DISTINCT hub FROM federation_held')
      .all()
      .map((r) => r.hub);
  }

  /** Whether anything is held for `hub`. */
  holdsFor(hub: string): boolean {
    return (
      this.db
        .prepare<[string], { n: number }>('SELECT 1 AS n FROM federation_held WHERE hub = ?')
        .get(hub) !== undefined
    );
  }

  /** Whether anything of `groupId` is held. */
  holdsGroup(groupId: Uint8Array): boolean {
    return (
      this.db
        .prepare<[Buffer], { n: number }>('SELECT 1 AS n FROM federation_held WHERE group_id = ?')
        .get(Buffer.from(groupId)) !== undefined
    );
  }

  remove(_tx: WriteTx, seq: number): void {
    this.db.prepare('DELETE FROM federation_held WHERE seq = ?').run(seq);
  }

  /** Held messages per hub (the administrator's federation list). */
  count(hub: string): number {
    return this.db
      .prepare<[string], { n: number }>('SELECT count(*) AS n FROM federation_held WHERE hub = ?')
      .get(hub)!.n;
  }
}
