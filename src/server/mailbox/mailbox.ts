/**
 * Per-device mailboxes. Each message is stored once for all its recipients, each of which
 * gets a small row pointing at it (a household message is stored once, not 49 times; the
 * SQL is in store.ts). Items are numbered from one instance-wide counter,
 * so a device's cursor only moves forward; they are deleted on acknowledgement or expiry.
 *
 * Pushes are gathered per write batch and sent as one frame per device, each item serialised
 * once for all its recipients. Acknowledgements over WebSocket are applied lazily, with the
 * next batch (or within ACK_DELAY_MS): a lost ack only means a redelivery the client drops by
 * message id, so it does not deserve an fsync of its own.
 */
import type { Db } from '../storage/sqlite.ts';
import type { WriteTx } from '../storage/tx.ts';
import type { MailboxItem, MailboxPage } from '../../shared/protocol/api.ts';
import { base64Url } from '../base64.ts';
import { MailboxStore, type ItemKind } from './store.ts';
import { MailboxUsage } from './usage.ts';

export type { ItemKind };

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
  private readonly store: MailboxStore;
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
    this.store = new MailboxStore(db);
    this.opts = opts;
    this.usage = new MailboxUsage(this.store, {
      items: opts.quota,
      deviceBytes: opts.deviceBytes ?? DEVICE_QUOTA_BYTES,
      userBytes: opts.userBytes ?? USER_QUOTA_BYTES,
    });
    this.reloadSizes();
  }

  /** Recounts mailbox sizes from disk (at start, and after an aborted batch). */
  reloadSizes(): void {
    this.usage.reload();
    this.seq = this.store.lastSeq();
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
    tx: WriteTx,
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
    const payloadId = this.store.insertPayload(
      tx,
      { kind, groupId, msgId, body },
      now,
      now + this.opts.ttlMs,
      deviceIds.length,
    );
    // Everything but `seq` is the same for every recipient: serialise it once.
    const rest = JSON.stringify({
      kind,
      groupId: base64Url(groupId),
      payload: base64Url(body),
      id: msgId,
      receivedAt: now,
    }).slice(1);
    for (const deviceId of deviceIds) {
      const seq = ++this.seq;
      this.store.insert(tx, deviceId, seq, payloadId);
      this.usage.added(deviceId, body.length);
      out.set(deviceId, { seq, json: `{"seq":${seq},${rest}` });
    }
    this.store.setLastSeq(tx, this.seq);
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
    const rows = this.store.items(deviceId, from, limit + 1);
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
        groupId: base64Url(r.groupId),
        payload: base64Url(r.body),
        id: r.msgId,
        receivedAt: r.receivedAt,
      });
    }
    // Breaking out of the loop above closes the statement's iterator.
    return { items, cursor: items.at(-1)?.seq ?? from, more };
  }

  /** Deletes every item of the device with seq ≤ upTo. */
  ack(tx: WriteTx, deviceId: string, upTo: number): number {
    const pending = this.deferredAcks.get(deviceId);
    if (pending !== undefined && pending <= upTo) this.deferredAcks.delete(deviceId);
    const gone = this.store.sizeUpTo(deviceId, upTo);
    if (gone.n === 0) return 0;
    const n = this.store.deleteUpTo(tx, deviceId, upTo);
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

  /** Applies the deferred acks (inside the batch's transaction). */
  applyDeferredAcks(tx: WriteTx): void {
    for (const [deviceId, upTo] of [...this.deferredAcks]) this.ack(tx, deviceId, upTo);
  }

  /**
   * Empties a device's mailbox (revocation). Also correct
   * when another process (`foyer user remove`) already deleted the rows: the device's count
   * is forgotten rather than decremented by what this call found.
   */
  drop(tx: WriteTx, deviceId: string): void {
    this.deferredAcks.delete(deviceId);
    this.store.deleteUpTo(tx, deviceId, Number.MAX_SAFE_INTEGER);
    this.usage.forget(deviceId);
  }

  /** Deletes expired items. */
  expire(tx: WriteTx, now: number): number {
    const n = this.store.deleteExpired(tx, now);
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
