/**
 * The sender loop: drains each peer's outbound queue, one signed request per peer and batch
 * (never per device), oldest first, one batch in flight per peer. A failed attempt backs off
 * exponentially with jitter (1 s up to 5 min); items older than the queue's age (7 days by
 * default) are given up and recorded as failed, with the reason, for their senders.
 */
import type { Logger } from 'pino';
import type { Writer } from '../writer.ts';
import type { FederationStore, OutboundRow } from './store.ts';
import type { Peers } from './peers.ts';
import { signRequest } from './signature.ts';
import { networkReason } from './networkReason.ts';
import { StatusNotes } from './status.ts';
import type { Mailboxes, PushItem } from '../mailbox/mailbox.ts';
import { encodeBatch, INBOX_PATH, MAX_BATCH_BYTES, MAX_BATCH_ITEMS } from './wire.ts';

const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const TICK_MS = 1_000;

/** The delay before attempt `attempts + 1`: exponential, capped, with ±50 % jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempts, 20));
  return Math.round(base * (0.5 + random()));
}

export class Sender {
  private readonly store: FederationStore;
  private readonly peers: Peers;
  private readonly writer: Writer;
  private readonly log: Logger;
  private readonly self: string;
  private readonly sign: (data: Uint8Array) => Uint8Array;
  private readonly maxAgeMs: number;
  private readonly statuses: StatusNotes;
  private readonly mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
  private readonly busy = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Items accepted by peers since start (metrics, tests). */
  delivered = 0;

  constructor(opts: {
    store: FederationStore;
    peers: Peers;
    writer: Writer;
    log: Logger;
    self: string;
    sign: (data: Uint8Array) => Uint8Array;
    maxAgeMs: number;
    mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
  }) {
    this.store = opts.store;
    this.peers = opts.peers;
    this.writer = opts.writer;
    this.log = opts.log;
    this.self = opts.self;
    this.sign = opts.sign;
    this.maxAgeMs = opts.maxAgeMs;
    this.mailboxes = opts.mailboxes;
    this.statuses = new StatusNotes({
      self: opts.self,
      store: opts.store,
      mailboxes: opts.mailboxes,
    });
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), TICK_MS);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Tries every peer that has items and is due. */
  kick(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const domain of this.store.pendingDomains()) {
      if (this.busy.has(domain)) continue;
      const retry = this.store.retry(domain);
      if (retry !== undefined && retry.next_at > now) continue;
      this.busy.add(domain);
      this.drain(domain)
        .catch((err: unknown) => this.log.error({ err }, 'federation sender failed'))
        .finally(() => this.busy.delete(domain));
    }
  }

  private async drain(domain: string): Promise<void> {
    while (!this.stopped) {
      const items = this.batch(domain);
      if (items.length === 0) return;
      const expired = items.filter((i) => Date.now() - i.created_at > this.maxAgeMs);
      if (expired.length > 0) {
        await this.giveUp(domain, expired);
        continue;
      }
      const ok = await this.send(domain, items);
      if (!ok) return;
    }
  }

  /** The next batch: queue order, bounded in items and bytes. */
  private batch(domain: string): OutboundRow[] {
    const rows = this.store.head(domain, MAX_BATCH_ITEMS);
    const out: OutboundRow[] = [];
    let bytes = 0;
    for (const r of rows) {
      bytes += r.body.length * 1.4 + 256;
      if (out.length > 0 && bytes > MAX_BATCH_BYTES * 0.9) break;
      out.push(r);
    }
    return out;
  }

  private async giveUp(domain: string, rows: OutboundRow[]): Promise<void> {
    const reason = this.store.retry(domain)?.last_error ?? 'peer unreachable';
    const now = Date.now();
    // Only the expired items go (the oldest, as the queue is in age order).
    const last = rows.at(-1)!.seq;
    await this.writer.run((tx) => {
      for (const r of rows) this.store.markFailed(tx, r.msg_id, domain, reason, now);
      this.store.drop(tx, domain, last);
      // The senders learn it: their clients show these messages as failed, with the reason.
      this.afterCommit(this.statuses.note(tx, rows, { state: 'failed', domain, reason }, now));
    });
    this.log.warn({ count: rows.length }, 'federation items expired undelivered');
  }

  /** Publishes local statuses and wakes the loop for queued ones, once committed. */
  private afterCommit(note: { pushes: Array<Map<string, PushItem>>; queued: boolean }): void {
    this.writer.onCommit(() => {
      for (const p of note.pushes) this.mailboxes.publish(p);
      if (note.queued) setImmediate(() => this.kick());
    });
  }

  /** One signed request; true when the peer accepted the whole batch. */
  private async send(domain: string, rows: OutboundRow[]): Promise<boolean> {
    const body = encodeBatch(
      rows.map((r) => ({
        kind: r.kind,
        groupId: r.group_id,
        msgId: r.msg_id,
        body: r.body,
        devices: JSON.parse(r.devices) as string[],
        ...(r.members === null ? {} : { members: JSON.parse(r.members) as string[] }),
      })),
    );
    const headers = signRequest({
      method: 'POST',
      origin: this.self,
      target: domain,
      path: INBOX_PATH,
      body,
      signer: this.sign,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    let error: string;
    try {
      const res = await fetch(`${this.peers.baseUrl(domain)}${INBOX_PATH}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        redirect: 'error',
      });
      const text = await res.text();
      if (res.ok) {
        const last = rows.at(-1)!.seq;
        await this.writer.run((tx) => {
          this.store.drop(tx, domain, last);
          this.store.clearRetry(tx, domain);
          // The senders learn that the peer's inbox has their messages.
          const note = this.statuses.note(tx, rows, { state: 'relayed', domain }, Date.now());
          this.afterCommit(note);
        });
        this.delivered += rows.length;
        return true;
      }
      error = `${res.status} ${errorCode(text)}`;
    } catch (err) {
      error = `network: ${networkReason(err)}`;
    }
    const attempts = (this.store.retry(domain)?.attempts ?? 0) + 1;
    const nextAt = Date.now() + backoffMs(attempts - 1);
    await this.writer.run((tx) =>
      this.store.setRetry(tx, { domain, attempts, next_at: nextAt, last_error: error }),
    );
    this.log.info({ attempts, error }, 'federation delivery deferred');
    return false;
  }
}

function errorCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code.slice(0, 40) : 'error';
  } catch {
    return 'error';
  }
}
