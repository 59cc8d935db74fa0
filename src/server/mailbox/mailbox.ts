/**
 * Per-device mailboxes. Each item points at a payload row shared by every device it was
 * fanned out to (a household message is stored once, not 50 times). Items are numbered
 * from one instance-wide counter, so a device's cursor only ever moves forward; they are
 * deleted on acknowledgement or when they expire.
 */
import { statementCache, type Db, type Statement } from '../storage/sqlite.ts';
import type { MailboxItem, MailboxPage } from '../../shared/protocol/api.ts';
import { toBase64Url } from '../../shared/protocol/bytes.ts';

export type ItemKind = MailboxItem['kind'];
export type Listener = (items: MailboxItem[]) => void;

export interface MailboxOptions {
  ttlMs: number;
  quota: number;
}

export class Mailboxes {
  private readonly db: Db;
  private readonly q: (sql: string) => Statement;
  private readonly opts: MailboxOptions;
  private seq = 0;
  private readonly sizes = new Map<string, number>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private total = 0;
  /** Items dropped because a mailbox was over quota (metrics). */
  dropped = 0;
  enqueued = 0;

  constructor(db: Db, opts: MailboxOptions) {
    this.db = db;
    this.q = statementCache(db);
    this.opts = opts;
    this.reloadSizes();
  }

  /** Recounts mailbox sizes from disk (at start, and after an aborted batch). */
  reloadSizes(): void {
    this.sizes.clear();
    this.total = 0;
    const rows = this.q(
      'SELECT device_id, count(*) AS n FROM mailbox GROUP BY device_id',
    ).all() as Array<{ device_id: string; n: number }>;
    for (const r of rows) {
      this.sizes.set(r.device_id, r.n);
      this.total += r.n;
    }
    this.seq = (
      this.q("SELECT value FROM counters WHERE name = 'mailbox_seq'").get() as {
        value: number;
      }
    ).value;
  }

  /**
   * Puts one payload into several mailboxes. Must run inside a write transaction; returns
   * the items per device so they can be pushed once the transaction commits.
   */
  enqueue(
    deviceIds: string[],
    kind: ItemKind,
    groupId: Uint8Array,
    msgId: string,
    body: Uint8Array,
    now: number,
  ): Map<string, MailboxItem> {
    const out = new Map<string, MailboxItem>();
    if (deviceIds.length === 0) return out;
    const payloadId = Number(
      this.q('INSERT INTO payloads (body, refs) VALUES (?, ?)').run(body, deviceIds.length)
        .lastInsertRowid,
    );
    const insert = this.q(
      'INSERT INTO mailbox (device_id, seq, kind, group_id, msg_id, payload_id, received_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const expiresAt = now + this.opts.ttlMs;
    const payload = toBase64Url(body);
    const group = toBase64Url(groupId);
    for (const deviceId of deviceIds) {
      if ((this.sizes.get(deviceId) ?? 0) >= this.opts.quota) this.dropOldest(deviceId);
      const seq = ++this.seq;
      insert.run(deviceId, seq, kind, groupId, msgId, payloadId, now, expiresAt);
      this.sizes.set(deviceId, (this.sizes.get(deviceId) ?? 0) + 1);
      this.total++;
      out.set(deviceId, { seq, kind, groupId: group, payload, id: msgId, receivedAt: now });
    }
    this.q("UPDATE counters SET value = ? WHERE name = 'mailbox_seq'").run(this.seq);
    this.enqueued += deviceIds.length;
    return out;
  }

  /** Items after `after`, oldest first. */
  page(deviceId: string, after: number, limit: number): MailboxPage {
    const rows = this.q(
      `SELECT m.seq, m.kind, m.group_id, m.msg_id, m.received_at, p.body
           FROM mailbox m JOIN payloads p ON p.id = m.payload_id
          WHERE m.device_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`,
    ).all(deviceId, after, limit + 1) as Array<{
      seq: number;
      kind: ItemKind;
      group_id: Uint8Array;
      msg_id: string;
      received_at: number;
      body: Uint8Array;
    }>;
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map((r) => ({
      seq: r.seq,
      kind: r.kind,
      groupId: toBase64Url(r.group_id),
      payload: toBase64Url(r.body),
      id: r.msg_id,
      receivedAt: r.received_at,
    }));
    return { items, cursor: items.at(-1)?.seq ?? after, more };
  }

  /** Deletes every item of the device with seq ≤ upTo. Runs inside a write transaction. */
  ack(deviceId: string, upTo: number): number {
    return this.deleteWhere('device_id = ? AND seq <= ?', [deviceId, upTo], deviceId);
  }

  /** Empties a device's mailbox (revocation). Runs inside a write transaction. */
  drop(deviceId: string): void {
    this.deleteWhere('device_id = ?', [deviceId], deviceId);
  }

  /** Deletes expired items. Runs inside a write transaction. */
  expire(now: number): number {
    const n = this.deleteWhere('expires_at <= ?', [now], undefined);
    if (n > 0) this.reloadSizes();
    return n;
  }

  depth(): number {
    return this.total;
  }

  subscribe(deviceId: string, listener: Listener): () => void {
    let set = this.listeners.get(deviceId);
    if (set === undefined) this.listeners.set(deviceId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(deviceId);
    };
  }

  /** Pushes freshly committed items to the devices' open sockets. */
  publish(deliveries: Map<string, MailboxItem[]>): void {
    for (const [deviceId, items] of deliveries) {
      const set = this.listeners.get(deviceId);
      if (set !== undefined) for (const l of set) l(items);
    }
  }

  private dropOldest(deviceId: string): void {
    const row = this.q('SELECT min(seq) AS seq FROM mailbox WHERE device_id = ?').get(deviceId) as {
      seq: number | null;
    };
    if (row.seq !== null) {
      this.deleteWhere('device_id = ? AND seq = ?', [deviceId, row.seq], deviceId);
      this.dropped++;
    }
  }

  private deleteWhere(where: string, params: unknown[], deviceId: string | undefined): number {
    // Payload reference counts first, while the mailbox rows still say which payloads.
    this.q(
      `UPDATE payloads SET refs = refs - (SELECT count(*) FROM mailbox WHERE ${where} AND payload_id = payloads.id)
          WHERE id IN (SELECT payload_id FROM mailbox WHERE ${where})`,
    ).run(...params, ...params);
    const n = this.q(`DELETE FROM mailbox WHERE ${where}`).run(...params).changes;
    this.q('DELETE FROM payloads WHERE refs <= 0').run();
    if (deviceId !== undefined && n > 0) {
      this.sizes.set(deviceId, Math.max(0, (this.sizes.get(deviceId) ?? 0) - n));
      this.total = Math.max(0, this.total - n);
    }
    return n;
  }
}
