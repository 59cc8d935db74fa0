/**
 * The end-to-end variant: what a real client sees. A smaller population (default 5 users × 2
 * devices, so that the server has one core and the clients the other) whose devices encrypt
 * each message when it is sent and decrypt every message they receive, with the MLS code the
 * client engine uses (src/shared/mls) on the real groups built in setup. A delivery counts
 * once its recipient has decrypted it and found in the plaintext the message id it was sent
 * under; latency runs from the moment the sender starts encrypting to that moment.
 *
 * All clients share this one process (and so one core): the decrypted deliveries per second
 * are what one core of clients gets through, and the client CPU per delivery (encryption of
 * the sender's share included) is the figure that carries to a device of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { encryptMessage, processMessage, type Group } from '../../src/shared/mls/group.ts';
import type { TrustStore } from '../../src/shared/mls/trust.ts';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../src/shared/protocol/bytes.ts';
import {
  ACK_EVERY_ITEMS,
  ACK_EVERY_MS,
  latencyPhase,
  saturationPhase,
  type Sender,
} from './load.ts';
import { serverFlags, type BenchOptions } from './options.ts';
import { buildPopulation, type Population } from './population.ts';
import { createInvites, memoryStatus, startFoyer, type FoyerProcess } from './processes.ts';
import {
  microsPerDelivery,
  phaseFigures,
  saturationFigures,
  type LatencyFigures,
  type SaturationFigures,
} from './report.ts';
import { ProcessSampler } from './sampler.ts';
import { PLAINTEXT_BYTES, setUpPopulation } from './setup.ts';
import { Samples, seededRandom, type Percentiles } from './stats.ts';
import { Tracker, type PhaseStats } from './tracker.ts';

/**
 * How long a phase may wait for its last deliveries: the clients' decryptions queue behind
 * each other on one core. A phase ends as soon as everything has arrived.
 */
export const DRAIN_MS = 30_000;

/** One device: its socket, its MLS states, and the queue its decryptions run in. */
class Device {
  readonly index: number;
  readonly ws: WebSocket;
  readonly ready: Promise<void>;
  readonly closed: Promise<void>;
  /**
   * Everything that reads or advances this device's MLS states — decrypting what arrives,
   * encrypting what it sends — runs one step after another, in order, as in a client: two
   * steps on one group's state at once would fork it (and reuse a generation).
   */
  private work: Promise<void> = Promise.resolve();
  private readonly fail: (err: unknown) => void;
  maxSeq = 0;
  ackedSeq = 0;
  unacked = 0;

  constructor(
    index: number,
    url: string,
    token: string,
    onItem: (
      device: Device,
      item: { seq: number; groupId: string; payload: string; id: string },
    ) => Promise<void>,
    tracker: Tracker,
    fail: (err: unknown) => void,
  ) {
    this.index = index;
    this.fail = fail;
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.closed = new Promise((resolve) => this.ws.once('close', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.ws.once('open', () => this.ws.send(JSON.stringify({ op: 'auth', token })));
      this.ws.once('error', reject);
      this.ws.on('message', (data: Buffer) => {
        const f = JSON.parse(data.toString()) as Record<string, any>;
        switch (f['op']) {
          case 'items':
            tracker.itemFrames++;
            tracker.itemsReceived += (f['items'] as unknown[]).length;
            for (const item of f['items'] as Array<{
              seq: number;
              groupId: string;
              payload: string;
              id: string;
            }>) {
              this.enqueue(() => onItem(this, item));
            }
            return;
          case 'submitted':
            tracker.accepted(f['ref'] as number, performance.now());
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

  /** Called once an item is decrypted: acknowledge in batches, as the load generator does. */
  processed(seq: number): void {
    if (seq > this.maxSeq) this.maxSeq = seq;
    if (++this.unacked >= ACK_EVERY_ITEMS) this.flushAck();
  }

  flushAck(): void {
    if (this.maxSeq > this.ackedSeq && this.ws.readyState === this.ws.OPEN) {
      this.ackedSeq = this.maxSeq;
      this.unacked = 0;
      this.ws.send(`{"op":"ack","upTo":${this.maxSeq}}`);
    }
  }

  /** Runs `step` after every step queued before it. */
  enqueue(step: () => Promise<void>): void {
    this.work = this.work.then(step).catch(this.fail);
  }

  /** Resolves when every step queued so far has run. */
  idle(): Promise<void> {
    return this.work;
  }
}

/** Clients that encrypt what they send and decrypt what they receive. */
export class DecryptingClients implements Sender {
  readonly senders: number[];
  private readonly devices: Device[] = [];
  private readonly pop: Population;
  private readonly tracker: Tracker;
  private readonly random: () => number;
  private readonly groupIds: string[];
  private readonly gidIndex: Map<string, number>;
  private readonly states: Map<string, Group>;
  private readonly trust: TrustStore[];
  private ackTimer: NodeJS.Timeout | undefined;
  /** Decrypted plaintexts that did not carry the id they were delivered under (must stay 0). */
  mismatches = 0;
  /** Items that were not application messages of a known group, or failed to decrypt. */
  readonly failures: string[] = [];
  /** Wall time of each decryption (it includes waiting for other work of this process). */
  readonly decryptMs = new Samples();
  bytesSent = 0;
  messagesSent = 0;

  constructor(opts: {
    pop: Population;
    tracker: Tracker;
    random: () => number;
    groupIds: string[];
    states: Map<string, Group>;
    trust: TrustStore[];
  }) {
    this.pop = opts.pop;
    this.tracker = opts.tracker;
    this.random = opts.random;
    this.groupIds = opts.groupIds;
    this.gidIndex = new Map(opts.groupIds.map((g, i) => [g, i]));
    this.states = opts.states;
    this.trust = opts.trust;
    this.senders = opts.pop.devices.map((d) => d.index);
  }

  /**
   * Connects every device and waits until each socket is ready.
   * @throws Error when a socket fails to open
   */
  async connect(url: string, tokens: string[]): Promise<void> {
    const fail = (err: unknown): void => {
      this.failures.push(String(err));
    };
    for (const d of this.pop.devices) {
      this.devices.push(
        new Device(
          d.index,
          url,
          tokens[d.index]!,
          (dev, item) => this.receive(dev, item),
          this.tracker,
          fail,
        ),
      );
    }
    await Promise.all(this.devices.map((d) => d.ready));
    this.ackTimer = setInterval(() => {
      for (const d of this.devices) d.flushAck();
    }, ACK_EVERY_MS);
  }

  private async receive(
    dev: Device,
    item: { seq: number; groupId: string; payload: string; id: string },
  ): Promise<void> {
    const g = this.gidIndex.get(item.groupId);
    const key = `${dev.index}:${g}`;
    const state = this.states.get(key);
    if (g === undefined || state === undefined) {
      this.failures.push(`device ${dev.index}: an item for an unknown group`);
      dev.processed(item.seq);
      return;
    }
    const t0 = performance.now();
    const p = await processMessage(state, fromBase64Url(item.payload)!, {
      trust: this.trust[dev.index]!,
    });
    const now = performance.now();
    this.decryptMs.push(now - t0);
    this.states.set(key, p.group);
    dev.processed(item.seq);
    if (p.kind !== 'application') {
      this.failures.push(`device ${dev.index}: a ${p.kind} where an application message was sent`);
      return;
    }
    const text = fromUtf8(p.plaintext) ?? '';
    if (!text.startsWith(item.id)) {
      this.mismatches++;
      return;
    }
    this.tracker.delivered(dev.index, item.id, now);
  }

  send(device: number, phase: PhaseStats): void {
    const groups = this.pop.devices[device]!.groups;
    const g = groups[Math.floor(this.random() * groups.length)]!;
    const members = this.pop.groups[g]!.devices;
    const words = Math.ceil(this.pop.devices.length / 32);
    const bits = new Uint32Array(words);
    for (const m of members) if (m !== device) bits[m >>> 5] = bits[m >>> 5]! | (1 << (m & 31));
    // Registered (and timed) before encryption: latency is what the sending user waits for.
    const k = this.tracker.add(device, g, bits, members.length - 1, phase);
    const id = this.tracker.idOf(k);
    const key = `${device}:${g}`;
    const dev = this.devices[device]!;
    dev.enqueue(async () => {
      const out = await encryptMessage(
        this.states.get(key)!,
        utf8(id.padEnd(PLAINTEXT_BYTES, '.')),
        { trust: this.trust[device]! },
      );
      this.states.set(key, out.group);
      this.bytesSent += out.message.length;
      this.messagesSent++;
      if (dev.ws.readyState === dev.ws.OPEN) {
        dev.ws.send(
          `{"op":"submit","groupId":"${this.groupIds[g]!}","message":"${toBase64Url(out.message)}","ref":${k},"id":"${id}"}`,
        );
      }
    });
  }

  sendAny(phase: PhaseStats): void {
    this.send(this.senders[Math.floor(this.random() * this.senders.length)]!, phase);
  }

  /** Waits for queued decryptions, acknowledges, and closes every socket. */
  async close(): Promise<void> {
    clearInterval(this.ackTimer);
    await Promise.all(this.devices.map((d) => d.idle()));
    for (const d of this.devices) d.flushAck();
    for (const d of this.devices) d.ws.close();
    await Promise.all(this.devices.map((d) => d.closed));
  }
}

export interface E2eRun {
  users: number;
  devices: number;
  groups: number;
  setupMs: number;
  serverFlags: string[];
  latency: LatencyFigures;
  saturation: SaturationFigures & {
    /** Decrypted deliveries per second ÷ devices (all clients share one process). */
    decryptedPerSecondPerDevice: number;
    /** Client CPU (this process: encrypting, decrypting, sockets) per delivery, microseconds. */
    clientCpuMicrosPerDelivery: number;
  };
  /** Wall time of one decryption in the client process, both phases. */
  decryptMs: Percentiles;
  messageBytesAvg: number;
  idleRssBytes: number;
  mismatches: number;
  failures: string[];
}

/**
 * Sets up the small population on a fresh server, runs a latency phase and a closed-loop
 * phase with decrypting clients, and stops the server.
 * @throws Error when the server does not start or the setup fails
 */
export async function runE2e(
  opts: BenchOptions,
  cli: string,
  log: (line: string) => void,
): Promise<E2eRun> {
  const pop = buildPopulation(opts.e2eUsers);
  const dir = mkdtempSync(join(tmpdir(), 'foyer-bench-e2e-'));
  const flags = serverFlags(opts, opts.e2eUsers);
  let server: FoyerProcess | undefined;
  try {
    log(`e2e: ${opts.e2eUsers} users × 2 devices, ${pop.groups.length} groups, clients decrypt`);
    const t0 = performance.now();
    server = await startFoyer({ cli, dataDir: dir, port: 0, flags, nodeArgs: opts.serverNodeArgs });
    if (server.adminInvite === undefined)
      throw new Error(`no admin invite printed:\n${server.output()}`);
    const invites = [server.adminInvite, ...(await createInvites(cli, dir, opts.e2eUsers - 1))];
    const setup = await setUpPopulation({
      instances: [{ url: server.url, invites }],
      population: pop,
      poolSize: 0,
      log,
    });
    const setupMs = performance.now() - t0;

    const tracker = new Tracker(pop.devices.length);
    const random = seededRandom(opts.seed);
    const clients = new DecryptingClients({
      pop,
      tracker,
      random,
      groupIds: setup.groupIds,
      states: setup.states,
      trust: setup.devices.map((d) => d.trust),
    });
    await clients.connect(
      `${server.url.replace('http', 'ws')}/api/v1/ws`,
      setup.devices.map((d) => d.token),
    );
    // As in the household workload: setup's last requests settle before the idle RSS is read.
    await sleep(1000);
    const idleRssBytes = memoryStatus(server.pid).rss;

    log(`e2e: phase 1, ${opts.rate} msg/s Poisson for ${opts.e2eLatencySeconds} s`);
    const p1 = await latencyPhase(clients, random, {
      rate: opts.rate,
      seconds: opts.e2eLatencySeconds,
      graceMs: Math.max(opts.graceMs, DRAIN_MS),
    });
    const latency = phaseFigures(p1, opts.e2eLatencySeconds, opts.rate);
    log(
      `e2e:   send → decrypted p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms, lost ${latency.lost}`,
    );

    log(
      `e2e: phase 2, ${opts.e2eInFlight} in flight per device for ${opts.e2eSaturationSeconds} s`,
    );
    const sampler = new ProcessSampler(server.pid);
    sampler.start(100);
    const frames0 = { frames: tracker.itemFrames, items: tracker.itemsReceived };
    let itemsPerFrame = 0;
    const p2 = await saturationPhase(clients, tracker, {
      inFlight: opts.e2eInFlight,
      seconds: opts.e2eSaturationSeconds,
      graceMs: Math.max(opts.graceMs, DRAIN_MS),
      onWindowEnd: () => {
        const frames = tracker.itemFrames - frames0.frames;
        itemsPerFrame = frames === 0 ? 0 : (tracker.itemsReceived - frames0.items) / frames;
        return sampler.stop();
      },
    });
    const sat = saturationFigures(
      p2.phase,
      opts.e2eSaturationSeconds,
      opts.e2eInFlight,
      p2.windowEndResult,
      itemsPerFrame,
    );
    const saturation = {
      ...sat,
      decryptedPerSecondPerDevice: Math.round(sat.deliveriesPerSecond / pop.devices.length),
      clientCpuMicrosPerDelivery: microsPerDelivery(
        p2.windowEndResult.loadgenCpuSeconds,
        p2.phase.deliveredInWindow,
      ),
    };
    log(
      `e2e:   ${saturation.deliveriesPerSecond} decrypted deliveries/s, client CPU ${saturation.clientCpuMicrosPerDelivery} µs per delivery, lost ${saturation.lost}`,
    );
    await clients.close();
    return {
      users: opts.e2eUsers,
      devices: pop.devices.length,
      groups: pop.groups.length,
      setupMs: Math.round(setupMs),
      serverFlags: flags,
      latency,
      saturation,
      decryptMs: clients.decryptMs.summary(),
      messageBytesAvg:
        clients.messagesSent === 0 ? 0 : Math.round(clients.bytesSent / clients.messagesSent),
      idleRssBytes,
      mismatches: clients.mismatches,
      failures: clients.failures.slice(0, 20),
    };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
