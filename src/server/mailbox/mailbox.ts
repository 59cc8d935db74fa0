/**
 * Per-device mailboxes. Each message is one `payloads` row holding what every recipient
 * shares; each recipient gets a three-column `mailbox` row pointing at it (a household
 * message is stored once, not 49 times). Items are numbered from one instance-wide counter,
 * so a device's cursor only moves forward; they are deleted on acknowledgement or expiry.
 *
 * Pushes are gathered per write batch and sent as one frame per device, each item serialised
 * once for all its recipients. Acknowledgements over WebSocket are applied lazily, with the
 * next batch (or within ACK_DELAY_MS): a lost ack only means a redelivery the client drops by
 * message id, so it does not deserve an fsync of its own.
 */
import { statementCache, type Db, type Statement } from '../storage/sqlite.ts';
import type { MailboxItem, MailboxPage } from '../../shared/protocol/api.ts';
import { toBase64Url } from '../../shared/protocol/bytes.ts';
import { MailboxUsage } from './usage.ts';

export type ItemKind = MailboxItem['kind'];

/** An item ready to push: its sequence number and its JSON text. */
export interface PushItem {
  seq: number;
  json: string;
}
export type Listener = (items: PushItem[]) => void;

export interface MailboxOptions {
  ttlMs: number;
  /** Most items waiting for one device. */
  quota: number;
  /** Most payload bytes waiting for one device. Default DEVICE_QUOTA_BYTES. */
  deviceBytes?: number;
  /** Most payload bytes waiting for all devices of one user. Default USER_QUOTA_BYTES. */
  userBytes?: number;
  /** The instance-wide storage budget every stored payload is taken from. */
  budget?: { take(size: number): void };
}

export const ACK_DELAY_MS = 100;
export const DEVICE_QUOTA_BYTES = 64 * 1024 * 1024;
export const USER_QUOTA_BYTES = 256 * 1024 * 1024;
/**
 * Payload bytes one page carries at most (at least one item is always returned). Whatever
 * `limit` asks, a page then costs the server a few MiB of memory, not the whole mailbox.
 */
export const PAGE_BYTES = 1024 * 1024;

export class Mailboxes {
  private readonly q: (sql: string) => Statement;
  private readonly opts: MailboxOptions;
  private seq = 0;
  readonly usage: MailboxUsage;
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Items committed in the current batch, pushed when it is on disk. */
  private pending = new Map<string, PushItem[]>();
  /** WebSocket acks not yet applied: device → highest seq. */
  private readonly deferredAcks = new Map<string, number>();
  /** Messages refused because a recipient's mailbox was full (metrics). */
  refused = 0;
  enqueued = 0;

  constructor(db: Db, opts: MailboxOptions) {
    this.q = statementCache(db);
    this.opts = opts;
    this.usage = new MailboxUsage(this.q, {
      items: opts.quota,
      deviceBytes: opts.deviceBytes ?? DEVICE_QUOTA_BYTES,
      userBytes: opts.userBytes ?? USER_QUOTA_BYTES,
    });
    this.reloadSizes();
  }

  /** Recounts mailbox sizes from disk (at start, and after an aborted batch). */
  reloadSizes(): void {
    this.usage.reload();
    this.seq = (
      this.q("SELECT value FROM counters WHERE name = 'mailbox_seq'").get() as { value: number }
    ).value;
    this.pending = new Map();
  }

  /**
   * Puts one payload into several mailboxes. Runs inside a write transaction; the items are
   * pushed by `publishBatch` once that transaction is committed.
   * @throws FoyerError mailbox_full when it would take any recipient over a quota; then
   * nothing is written. A full mailbox refuses rather than dropping its oldest items: a
   * dropped commit would leave that device unable to follow its group.
   */
  enqueue(
    deviceIds: string[],
    kind: ItemKind,
    groupId: Uint8Array,
    msgId: string,
    body: Uint8Array,
    now: number,
  ): Map<string, PushItem> {
    const out = new Map<string, PushItem>();
    if (deviceIds.length === 0) return out;
    try {
      this.usage.assertRoom(deviceIds, body.length);
      // Stored once, plus a small row per recipient.
      this.opts.budget?.take(body.length + 32 * deviceIds.length);
    } catch (err) {
      this.refused++;
      throw err;
    }
    const payloadId = Number(
      this.q(
        'INSERT INTO payloads (kind, group_id, msg_id, body, received_at, expires_at, refs) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(kind, groupId, msgId, body, now, now + this.opts.ttlMs, deviceIds.length)
        .lastInsertRowid,
    );
    const insert = this.q('INSERT INTO mailbox (device_id, seq, payload_id) VALUES (?, ?, ?)');
    // Everything but `seq` is the same for every recipient: serialise it once.
    const rest = JSON.stringify({
      kind,
      groupId: toBase64Url(groupId),
      payload: toBase64Url(body),
      id: msgId,
      receivedAt: now,
    }).slice(1);
    for (const deviceId of deviceIds) {
      const seq = ++this.seq;
      insert.run(deviceId, seq, payloadId);
      this.usage.added(deviceId, body.length);
      out.set(deviceId, { seq, json: `{"seq":${seq},${rest}` });
    }
    this.q("UPDATE counters SET value = ? WHERE name = 'mailbox_seq'").run(this.seq);
    this.enqueued += deviceIds.length;
    return out;
  }

  /**
   * Items after `after` (and after any ack not yet applied), oldest first: at most `limit`
   * items and, past the first, at most `maxBytes` of payload. Rows are read one at a time,
   * so a page never loads more than it returns.
   */
  page(deviceId: string, after: number, limit: number, maxBytes = PAGE_BYTES): MailboxPage {
    const from = Math.max(after, this.deferredAcks.get(deviceId) ?? 0);
    const rows = this.q(
      `SELECT m.seq, p.kind, p.group_id, p.msg_id, p.received_at, p.body
         FROM mailbox m JOIN payloads p ON p.id = m.payload_id
        WHERE m.device_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`,
    ).iterate(deviceId, from, limit + 1) as IterableIterator<{
      seq: number;
      kind: ItemKind;
      group_id: Uint8Array;
      msg_id: string;
      received_at: number;
      body: Uint8Array;
    }>;
    const items: MailboxItem[] = [];
    let bytes = 0;
    let more = false;
    for (const r of rows) {
      if (items.length === limit || (items.length > 0 && bytes + r.body.length > maxBytes)) {
        more = true;
        break;
      }
      bytes += r.body.length;
      items.push({
        seq: r.seq,
        kind: r.kind,
        groupId: toBase64Url(r.group_id),
        payload: toBase64Url(r.body),
        id: r.msg_id,
        receivedAt: r.received_at,
      });
    }
    // Breaking out of the loop above closes the statement's iterator.
    return { items, cursor: items.at(-1)?.seq ?? from, more };
  }

  /** Deletes every item of the device with seq ≤ upTo. Runs inside a write transaction. */
  ack(deviceId: string, upTo: number): number {
    const pending = this.deferredAcks.get(deviceId);
    if (pending !== undefined && pending <= upTo) this.deferredAcks.delete(deviceId);
    const gone = this.q(
      `SELECT count(*) AS n, coalesce(sum(length(p.body)), 0) AS bytes
         FROM mailbox m JOIN payloads p ON p.id = m.payload_id
        WHERE m.device_id = ? AND m.seq <= ?`,
    ).get(deviceId, upTo) as { n: number; bytes: number };
    if (gone.n === 0) return 0;
    const n = deleteItems(this.q, deviceId, upTo);
    this.usage.removed(deviceId, n, gone.bytes);
    return n;
  }

  /** Records an ack to apply with the next write batch. */
  deferAck(deviceId: string, upTo: number): void {
    if ((this.deferredAcks.get(deviceId) ?? 0) < upTo) this.deferredAcks.set(deviceId, upTo);
  }

  hasDeferredAcks(): boolean {
    return this.deferredAcks.size > 0;
  }

  /** Applies the deferred acks. Runs inside a write transaction. */
  applyDeferredAcks(): void {
    for (const [deviceId, upTo] of [...this.deferredAcks]) this.ack(deviceId, upTo);
  }

  /**
   * Empties a device's mailbox (revocation). Runs inside a write transaction. Also correct
   * when another process (`foyer user remove`) already deleted the rows: the device's count
   * is forgotten rather than decremented by what this call found.
   */
  drop(deviceId: string): void {
    this.deferredAcks.delete(deviceId);
    deleteItems(this.q, deviceId, Number.MAX_SAFE_INTEGER);
    this.usage.forget(deviceId);
  }

  /** Deletes expired items. Runs inside a write transaction. */
  expire(now: number): number {
    const n = this.q(
      'DELETE FROM mailbox WHERE payload_id IN (SELECT id FROM payloads WHERE expires_at <= ?)',
    ).run(now).changes;
    this.q('DELETE FROM payloads WHERE expires_at <= ?').run(now);
    if (n > 0) this.reloadSizes();
    return n;
  }

  /** Items waiting in all mailboxes. */
  depth(): number {
    return this.usage.items;
  }

  /** Payload bytes waiting in all mailboxes (a payload counts once per recipient). */
  depthBytes(): number {
    return this.usage.bytes;
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

  /** Queues committed items for their devices' sockets (called once a job has succeeded). */
  publish(items: Map<string, PushItem>): void {
    for (const [deviceId, item] of items) {
      if (!this.listeners.has(deviceId)) continue;
      const list = this.pending.get(deviceId);
      if (list === undefined) this.pending.set(deviceId, [item]);
      else list.push(item);
    }
  }

  /** Pushes everything the batch committed: one call per device. */
  publishBatch(): void {
    const batch = this.pending;
    this.pending = new Map();
    for (const [deviceId, items] of batch) {
      const set = this.listeners.get(deviceId);
      if (set !== undefined) for (const l of set) l(items);
    }
  }
}

/**
 * Deletes a device's items with seq ≤ upTo and releases their payloads; returns how many
 * items went. Runs inside a write transaction. Shared with `foyer user remove`, which
 * empties mailboxes from another process (src/server/accounts/userAdmin.ts).
 */
export function deleteItems(q: (sql: string) => Statement, deviceId: string, upTo: number): number {
  // A device holds at most one row per payload, so each payload loses exactly one ref.
  q(
    'UPDATE payloads SET refs = refs - 1 WHERE id IN (SELECT payload_id FROM mailbox WHERE device_id = ? AND seq <= ?)',
  ).run(deviceId, upTo);
  const n = q('DELETE FROM mailbox WHERE device_id = ? AND seq <= ?').run(deviceId, upTo).changes;
  q('DELETE FROM payloads WHERE refs <= 0').run();
  return n;
}
