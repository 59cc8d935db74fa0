/**
 * Delivery bookkeeping for the load generator, built to cost little per event: every sent
 * message gets an index `k`; its client message id is a run tag followed by `k` in base 36,
 * so a recipient finds the record without a map lookup. Per message the tracker keeps its
 * send time, its sender, the bit set of devices expected to receive it and the bit set of
 * devices that did (so a lost, duplicated or misdirected delivery is counted exactly).
 */
import { performance } from 'node:perf_hooks';
import { randomBytes, toBase64Url } from '../../src/shared/protocol/bytes.ts';
import { Samples } from './stats.ts';

const TAG_CHARS = 10;
const INDEX_CHARS = 8;

/** Counters of one measured phase (one per phase and system under test). */
export class PhaseStats {
  readonly name: string;
  /** Window in which sends, acknowledgements and deliveries count as "during the phase". */
  windowStart = 0;
  windowEnd = Number.POSITIVE_INFINITY;
  sent = 0;
  accepted = 0;
  acceptedInWindow = 0;
  errors = 0;
  readonly errorCodes = new Map<string, number>();
  expected = 0;
  delivered = 0;
  deliveredInWindow = 0;
  duplicates = 0;
  unexpected = 0;
  /** send → receive, milliseconds, one sample per delivery. */
  readonly latency = new Samples();
  /** The same, for deliveries to a device of another instance than the sender's. */
  readonly crossLatency = new Samples();
  /** send → `submitted` acknowledgement, milliseconds, one sample per message. */
  readonly ackLatency = new Samples();
  private settled: (() => void) | undefined;

  constructor(name: string) {
    this.name = name;
  }

  /** True when every message was answered and every expected delivery arrived. */
  done(): boolean {
    return this.accepted + this.errors === this.sent && this.delivered === this.expected;
  }

  /** Resolves when done() or after `graceMs`, whichever comes first. */
  settle(graceMs: number): Promise<void> {
    if (this.done()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, graceMs);
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.settled = finish;
    });
  }

  /** Called by the tracker after each counted event. */
  check(): void {
    if (this.settled !== undefined && this.done()) {
      const f = this.settled;
      this.settled = undefined;
      f();
    }
  }
}

export class Tracker {
  readonly tag = toBase64Url(randomBytes(8)).slice(0, TAG_CHARS);
  private readonly words: number;
  private capacity = 1 << 16;
  private count = 0;
  private sentAt = new Float64Array(this.capacity);
  private sender = new Uint16Array(this.capacity);
  private phaseOf: PhaseStats[] = [];
  private expectedBits = new Uint32Array(0);
  private gotBits = new Uint32Array(0);
  /** Called with (k, sender device) when the server answers message k (`submitted` or `error`). */
  onAnswer: ((k: number, sender: number) => void) | undefined;

  /**
   * Whether a delivery crossed from one instance to another (a population spread over
   * several instances); such deliveries' latencies are also kept apart.
   */
  private readonly crosses:
    ((sender: number, recipient: number, group: number) => boolean) | undefined;
  private group = new Uint16Array(this.capacity);

  constructor(
    devices: number,
    crosses?: (sender: number, recipient: number, group: number) => boolean,
  ) {
    this.crosses = crosses;
    this.words = Math.ceil(devices / 32);
    this.expectedBits = new Uint32Array(this.capacity * this.words);
    this.gotBits = new Uint32Array(this.capacity * this.words);
  }

  /**
   * Registers a message about to be sent by `sender` to the devices in `recipients` (a bit
   * set of `words` words, the sender's bit already cleared). Returns its index.
   */
  add(
    sender: number,
    group: number,
    recipients: Uint32Array,
    recipientCount: number,
    phase: PhaseStats,
  ): number {
    if (this.count === this.capacity) this.grow();
    const k = this.count++;
    this.sender[k] = sender;
    this.group[k] = group;
    this.phaseOf[k] = phase;
    this.expectedBits.set(recipients, k * this.words);
    phase.sent++;
    phase.expected += recipientCount;
    this.sentAt[k] = performance.now();
    return k;
  }

  /** The client message id of message k (16+ base64url characters, as the hub requires). */
  idOf(k: number): string {
    return this.tag + k.toString(36).padStart(INDEX_CHARS, '0');
  }

  /** The server accepted message k (`submitted`). */
  accepted(k: number, now: number): void {
    const p = this.phaseOf[k];
    if (p === undefined) return;
    p.accepted++;
    if (now <= p.windowEnd) p.acceptedInWindow++;
    p.ackLatency.push(now - this.sentAt[k]!);
    this.onAnswer?.(k, this.sender[k]!);
    p.check();
  }

  /** The server refused message k (or any frame, when k is undefined). */
  refused(k: number | undefined, code: string): void {
    const p = k === undefined ? undefined : this.phaseOf[k];
    if (p === undefined) {
      this.strayErrors.set(code, (this.strayErrors.get(code) ?? 0) + 1);
      return;
    }
    p.errors++;
    p.errorCodes.set(code, (p.errorCodes.get(code) ?? 0) + 1);
    this.onAnswer?.(k!, this.sender[k!]!);
    p.check();
  }

  /** Errors that named no message (e.g. a refused ack). */
  readonly strayErrors = new Map<string, number>();
  /** Deliveries whose id this run did not send. */
  foreign = 0;
  /** `items` frames received, and the items they held (how much the server batches). */
  itemFrames = 0;
  itemsReceived = 0;
  /** `status` items (relayed/failed notices for the sender across instances), not deliveries. */
  statusItems = 0;

  /** Message `id` arrived at `device`. */
  delivered(device: number, id: string, now: number): void {
    const k = id.startsWith(this.tag) ? parseInt(id.slice(TAG_CHARS), 36) : -1;
    const p = k >= 0 && k < this.count ? this.phaseOf[k] : undefined;
    if (p === undefined) {
      this.foreign++;
      return;
    }
    const word = k * this.words + (device >>> 5);
    const bit = 1 << (device & 31);
    if ((this.expectedBits[word]! & bit) === 0) {
      p.unexpected++;
    } else if ((this.gotBits[word]! & bit) !== 0) {
      p.duplicates++;
    } else {
      this.gotBits[word] = this.gotBits[word]! | bit;
      p.delivered++;
      if (now <= p.windowEnd) p.deliveredInWindow++;
      p.latency.push(now - this.sentAt[k]!);
      if (this.crosses?.(this.sender[k]!, device, this.group[k]!) === true)
        p.crossLatency.push(now - this.sentAt[k]!);
      p.check();
    }
  }

  private grow(): void {
    this.capacity *= 2;
    const sentAt = new Float64Array(this.capacity);
    sentAt.set(this.sentAt);
    this.sentAt = sentAt;
    const sender = new Uint16Array(this.capacity);
    sender.set(this.sender);
    this.sender = sender;
    const group = new Uint16Array(this.capacity);
    group.set(this.group);
    this.group = group;
    const expected = new Uint32Array(this.capacity * this.words);
    expected.set(this.expectedBits);
    this.expectedBits = expected;
    const got = new Uint32Array(this.capacity * this.words);
    got.set(this.gotBits);
    this.gotBits = got;
  }
}
