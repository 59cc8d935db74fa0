/**
 * The load generator: one WebSocket per device, the same client code for Foyer and for the
 * bare relay (only the first frame and the acknowledgements differ — see `Adapter`), frames
 * pre-encoded per (device, group, pool entry) so that a send is one string concatenation.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { Population } from './population.ts';
import { exponential } from './stats.ts';
import { PhaseStats, type Tracker } from './tracker.ts';

/** What differs between the systems under test, seen from a client. */
export interface Adapter {
  name: 'foyer' | 'relay';
  /** ws:// URL of the socket endpoint a device connects to (its own server's). */
  url(device: number): string;
  /** The first frame a device sends (authentication, or the relay's membership hello). */
  hello(device: number): string;
  /**
   * Whether recipients acknowledge what they get. Foyer needs it (its mailboxes); the relay
   * reads and drops acks, so that both receive the same client traffic.
   */
  acks: boolean;
}

/** Recipients acknowledge every ACK_EVERY_MS, or as soon as ACK_EVERY_ITEMS are unacknowledged. */
export const ACK_EVERY_MS = 50;
export const ACK_EVERY_ITEMS = 100;

class DeviceSocket {
  readonly ws: WebSocket;
  maxSeq = 0;
  ackedSeq = 0;
  unacked = 0;
  readonly ready: Promise<void>;
  readonly closed: Promise<void>;

  constructor(adapter: Adapter, device: number, tracker: Tracker) {
    this.ws = new WebSocket(adapter.url(device), { perMessageDeflate: false });
    this.closed = new Promise((resolve) => this.ws.once('close', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.ws.once('open', () => this.ws.send(adapter.hello(device)));
      this.ws.once('error', reject);
      this.ws.on('message', (data: Buffer) => {
        const now = performance.now();
        const f = JSON.parse(data.toString()) as Record<string, any>;
        switch (f['op']) {
          case 'items': // pushed deliveries (Foyer's and the relay's frames have one shape)
            for (const item of f['items'] as Array<{ id: string; seq: number; kind: string }>) {
              // A hub's notice that a message reached another instance (federation only).
              if (item.kind === 'status') tracker.statusItems++;
              else tracker.delivered(device, item.id, now);
              if (item.seq > this.maxSeq) this.maxSeq = item.seq;
            }
            this.unacked += (f['items'] as unknown[]).length;
            tracker.itemFrames++;
            tracker.itemsReceived += (f['items'] as unknown[]).length;
            if (adapter.acks && this.unacked >= ACK_EVERY_ITEMS) this.flushAck();
            return;
          case 'submitted':
            tracker.accepted(f['ref'] as number, now);
            return;
          case 'error':
            tracker.refused(f['ref'] as number | undefined, String(f['code']));
            return;
          case 'ready':
            resolve();
            return;
          default:
            return;
        }
      });
    });
  }

  flushAck(): void {
    if (this.maxSeq > this.ackedSeq) {
      this.ackedSeq = this.maxSeq;
      this.unacked = 0;
      this.ws.send(`{"op":"ack","upTo":${this.maxSeq}}`);
    }
  }
}

/** What the phases drive: something that can send as any device. */
export interface Sender {
  /** Devices that send. */
  readonly senders: number[];
  /** Sends one message from `device` to one of its groups, counted in `phase`. */
  send(device: number, phase: PhaseStats): void;
  /** Sends from a uniformly chosen sending device. */
  sendAny(phase: PhaseStats): void;
}

/** Every device connected to one system under test, and the means to send as any of them. */
export class LoadClient implements Sender {
  private readonly sockets: DeviceSocket[] = [];
  private readonly pop: Population;
  private readonly tracker: Tracker;
  private readonly random: () => number;
  /** frames[device][group][i]: the frame up to `"ref":`, ready for `k,"id":"…"}`. */
  private readonly frames: string[][][];
  private readonly cursor: Uint32Array;
  /** recipients[group][device]: bit set of the group's devices minus that device. */
  private readonly recipients: Uint32Array[][];
  /** Devices that send: every device. */
  readonly senders: number[];
  private ackTimer: NodeJS.Timeout | undefined;

  constructor(opts: {
    pop: Population;
    tracker: Tracker;
    random: () => number;
    groupIds: string[];
    pools: string[][][];
  }) {
    this.pop = opts.pop;
    this.senders = opts.pop.devices.map((d) => d.index);
    this.tracker = opts.tracker;
    this.random = opts.random;
    this.frames = opts.pools.map((byGroup) =>
      byGroup.map((pool, g) =>
        pool.map((m) => `{"op":"submit","groupId":"${opts.groupIds[g]!}","message":"${m}","ref":`),
      ),
    );
    this.cursor = new Uint32Array(opts.pop.devices.length * opts.pop.groups.length);
    const words = Math.ceil(opts.pop.devices.length / 32);
    this.recipients = opts.pop.groups.map((g) =>
      opts.pop.devices.map((d) => {
        const bits = new Uint32Array(words);
        for (const m of g.devices)
          if (m !== d.index) bits[m >>> 5] = bits[m >>> 5]! | (1 << (m & 31));
        return bits;
      }),
    );
  }

  /**
   * Opens every device's socket and waits until each is ready.
   * @throws Error when a socket fails to open
   */
  async connect(adapter: Adapter): Promise<void> {
    for (const d of this.pop.devices)
      this.sockets.push(new DeviceSocket(adapter, d.index, this.tracker));
    await Promise.all(this.sockets.map((s) => s.ready));
    if (adapter.acks) {
      this.ackTimer = setInterval(() => {
        for (const s of this.sockets) s.flushAck();
      }, ACK_EVERY_MS);
    }
  }

  /** Sends one message from `device` to a uniformly chosen group of its own. */
  send(device: number, phase: PhaseStats): void {
    const groups = this.pop.devices[device]!.groups;
    const g = groups[Math.floor(this.random() * groups.length)]!;
    const pool = this.frames[device]![g]!;
    const c = device * this.pop.groups.length + g;
    const prefix = pool[this.cursor[c]! % pool.length]!;
    this.cursor[c] = this.cursor[c]! + 1;
    const k = this.tracker.add(
      device,
      g,
      this.recipients[g]![device]!,
      this.pop.groups[g]!.devices.length - 1,
      phase,
    );
    this.sockets[device]!.ws.send(`${prefix}${k},"id":"${this.tracker.idOf(k)}"}`);
  }

  /** Sends from a uniformly chosen sending device. */
  sendAny(phase: PhaseStats): void {
    this.send(this.senders[Math.floor(this.random() * this.senders.length)]!, phase);
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    clearInterval(this.ackTimer);
    for (const s of this.sockets) s.flushAck();
    for (const s of this.sockets) s.ws.close();
    await Promise.all(this.sockets.map((s) => s.closed));
  }
}

/**
 * Phase 1: Poisson arrivals at `rate` messages/s for `seconds`, then up to `graceMs` for the
 * last deliveries. Every delivery's send → receive latency is kept.
 */
export async function latencyPhase(
  client: Sender,
  random: () => number,
  opts: { rate: number; seconds: number; graceMs: number },
): Promise<PhaseStats> {
  const phase = new PhaseStats('latency');
  const mean = 1000 / opts.rate;
  const start = performance.now();
  const end = start + opts.seconds * 1000;
  phase.windowStart = start;
  let next = start + exponential(random, mean);
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (next <= now && next < end) {
        client.sendAny(phase);
        next += exponential(random, mean);
      }
      if (next >= end) resolve();
      else setTimeout(tick, Math.max(0, next - performance.now()));
    };
    setTimeout(tick, Math.max(0, next - performance.now()));
  });
  await phase.settle(opts.graceMs);
  return phase;
}

/**
 * Phase 2: closed loop — every device keeps `inFlight` messages unanswered, sending the next
 * one when the server answers one — for `seconds`; `onWindowEnd` runs as the window closes
 * (e.g. to stop a sampler); then up to `graceMs` to drain.
 */
export async function saturationPhase<T>(
  client: Sender,
  tracker: Tracker,
  opts: { inFlight: number; seconds: number; graceMs: number; onWindowEnd: () => T },
): Promise<{ phase: PhaseStats; windowEndResult: T }> {
  const phase = new PhaseStats('saturation');
  let running = true;
  tracker.onAnswer = (_k, sender) => {
    if (running) client.send(sender, phase);
  };
  phase.windowStart = performance.now();
  phase.windowEnd = phase.windowStart + opts.seconds * 1000;
  for (let i = 0; i < opts.inFlight; i++) for (const d of client.senders) client.send(d, phase);
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  running = false;
  tracker.onAnswer = undefined;
  const windowEndResult = opts.onWindowEnd();
  await phase.settle(opts.graceMs);
  return { phase, windowEndResult };
}
