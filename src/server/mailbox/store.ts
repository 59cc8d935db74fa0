/**
 * The mailbox query layer. Each message is one `payloads` row holding what every recipient
 * shares; each recipient gets a three-column `mailbox` row pointing at it, numbered from the
 * instance-wide `mailbox_seq` counter. Writes take the transaction's `WriteTx`.
 */
import { statementCache, type Db, type Statement } from '../storage/sqlite.ts';
import type { WriteTx } from '../storage/tx.ts';
import type { MailboxItem } from '../../shared/protocol/api.ts';

export type ItemKind = MailboxItem['kind'];

/** One stored item, joined with its payload. */
export interface StoredItem {
  seq: number;
  kind: ItemKind;
  groupId: Uint8Array;
  msgId: string;
  receivedAt: number;
  body: Uint8Array;
}

export class MailboxStore {
  private readonly q: (sql: string) => Statement;
  /** The hottest statement (one run per recipient), kept at hand. */
  private readonly insertItem: Statement;

  constructor(db: Db) {
    this.q = statementCache(db);
    this.insertItem = this.q('INSERT INTO mailbox (device_id, seq, payload_id) VALUES (?, ?, ?)');
  }

  /** Items and payload bytes per device with a non-empty mailbox, with the owner's id. */
  usageByDevice(): Array<{ deviceId: string; n: number; bytes: number; userId: number | null }> {
    // length() of a blob reads its size from the record header, not the blob itself.
    return (
      this.q(
        `SELECT m.device_id, count(*) AS n, sum(length(p.body)) AS bytes, d.user_id
           FROM mailbox m JOIN payloads p ON p.id = m.payload_id
           LEFT JOIN devices d ON d.id = m.device_id
          GROUP BY m.device_id`,
      ).all() as Array<{ device_id: string; n: number; bytes: number; user_id: number | null }>
    ).map((r) => ({ deviceId: r.device_id, n: r.n, bytes: r.bytes, userId: r.user_id }));
  }

  /** The user owning a device of this instance (mailbox quotas per user). */
  ownerOf(deviceId: string): number | undefined {
    const r = this.q('SELECT user_id FROM devices WHERE id = ?').get(deviceId) as
      { user_id: number } | undefined;
    return r?.user_id;
  }

  /** Items of a device with seq ≤ upTo, and their payload bytes. */
  sizeUpTo(deviceId: string, upTo: number): { n: number; bytes: number } {
    return this.q(
      `SELECT count(*) AS n, coalesce(sum(length(p.body)), 0) AS bytes
         FROM mailbox m JOIN payloads p ON p.id = m.payload_id
        WHERE m.device_id = ? AND m.seq <= ?`,
    ).get(deviceId, upTo) as { n: number; bytes: number };
  }

  /** The last sequence number handed out. */
  lastSeq(): number {
    return (
      this.q("SELECT value FROM counters WHERE name = 'mailbox_seq'").get() as { value: number }
    ).value;
  }

  /**
   * Up to `limit` items of a device after `after`, oldest first, read one row at a time:
   * stopping early (breaking out of the loop) closes the statement and reads no further.
   */
  *items(deviceId: string, after: number, limit: number): Generator<StoredItem> {
    const rows = this.q(
      `SELECT m.seq, p.kind, p.group_id, p.msg_id, p.received_at, p.body
         FROM mailbox m JOIN payloads p ON p.id = m.payload_id
        WHERE m.device_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`,
    ).iterate(deviceId, after, limit) as IterableIterator<{
      seq: number;
      kind: ItemKind;
      group_id: Uint8Array;
      msg_id: string;
      received_at: number;
      body: Uint8Array;
    }>;
    for (const r of rows) {
      yield {
        seq: r.seq,
        kind: r.kind,
        groupId: r.group_id,
        msgId: r.msg_id,
        receivedAt: r.received_at,
        body: r.body,
      };
    }
  }

  /** Counts for `foyer status`. */
  census(): { queued: number; devicesWithQueue: number; deepest: number } {
    const n = (sql: string): number => (this.q(sql).get() as { n: number | null }).n ?? 0;
    return {
      queued: n('SELECT count(*) AS n FROM mailbox'),
      devicesWithQueue: n('SELECT count(DISTINCT device_id) AS n FROM mailbox'),
      deepest: n('SELECT max(c) AS n FROM (SELECT count(*) AS c FROM mailbox GROUP BY device_id)'),
    };
  }

  /** @returns the new payload's id, referenced `refs` times */
  insertPayload(
    _tx: WriteTx,
    p: { kind: ItemKind; groupId: Uint8Array; msgId: string; body: Uint8Array },
    now: number,
    expiresAt: number,
    refs: number,
  ): number {
    return Number(
      this.q(
        'INSERT INTO payloads (kind, group_id, msg_id, body, received_at, expires_at, refs) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(p.kind, p.groupId, p.msgId, p.body, now, expiresAt, refs).lastInsertRowid,
    );
  }

  insert(_tx: WriteTx, deviceId: string, seq: number, payloadId: number): void {
    this.insertItem.run(deviceId, seq, payloadId);
  }

  setLastSeq(_tx: WriteTx, seq: number): void {
    this.q("UPDATE counters SET value = ? WHERE name = 'mailbox_seq'").run(seq);
  }

  /** Deletes a device's items with seq ≤ upTo and releases their payloads; returns how many. */
  deleteUpTo(_tx: WriteTx, deviceId: string, upTo: number): number {
    // A device holds at most one row per payload, so each payload loses exactly one ref.
    this.q(
      'UPDATE payloads SET refs = refs - 1 WHERE id IN (SELECT payload_id FROM mailbox WHERE device_id = ? AND seq <= ?)',
    ).run(deviceId, upTo);
    const n = this.q('DELETE FROM mailbox WHERE device_id = ? AND seq <= ?').run(
      deviceId,
      upTo,
    ).changes;
    this.q('DELETE FROM payloads WHERE refs <= 0').run();
    return n;
  }

  /** Deletes every item whose payload expired by `now`; returns how many items went. */
  deleteExpired(_tx: WriteTx, now: number): number {
    const n = this.q(
      'DELETE FROM mailbox WHERE payload_id IN (SELECT id FROM payloads WHERE expires_at <= ?)',
    ).run(now).changes;
    this.q('DELETE FROM payloads WHERE expires_at <= ?').run(now);
    return n;
  }
}
