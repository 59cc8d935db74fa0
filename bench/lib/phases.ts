/** Phases 1 (latency), 2 (saturation) and 3 (memory) against one system under test. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadClient, latencyPhase, saturationPhase, type Adapter } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { Population } from './population.ts';
import { memoryStatus, type Child } from './processes.ts';
import {
  phaseFigures,
  saturationFigures,
  type LatencyFigures,
  type SaturationFigures,
} from './report.ts';
import { ProcessSampler, type ProcessSample } from './sampler.ts';
import type { SetupResult } from './setup.ts';
import { seededRandom } from './stats.ts';
import { Tracker } from './tracker.ts';

/** Idle time before reading the idle RSS, so setup's last requests are finished. */
const IDLE_SETTLE_MS = 1000;

export interface SystemRun {
  latency: LatencyFigures;
  saturation: SaturationFigures;
  /** The (first) server process's resident memory with every device connected and idle. */
  idleRssBytes: number;
  idleMemory: ReturnType<typeof memoryStatus>;
  /** Each server process on its own (one entry unless the system spans several). */
  processes: Array<{ idleRssBytes: number; saturation: ProcessSample }>;
  /** Server counters (/metrics) accumulated during each phase, when the system has them. */
  counters?: { latency: Record<string, number>; saturation: Record<string, number> };
  /** The server's own memory gauges (/metrics), idle and right after saturation, bytes. */
  v8Memory?: { idle: Record<string, number>; afterSaturation: Record<string, number> };
  /** `status` items received over both phases (a hub's relayed notices, federation only). */
  statusItems: number;
  /** Items whose id this run never sent (must stay 0). */
  foreignItems: number;
  /** Seconds since the process was spawned (to cut a CPU profile to a phase). */
  timeline: {
    latencyFrom: number;
    latencyTo: number;
    saturationFrom: number;
    saturationTo: number;
  };
}

/** The memory gauges among a /metrics scrape (foyer_process_memory_bytes, foyer_heap_space_bytes). */
function memoryGauges(metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(metrics).filter(
      ([k]) => k.startsWith('foyer_process_memory_bytes') || k.startsWith('foyer_heap_space_bytes'),
    ),
  );
}

/** "MiB: rss 131.2 · heap 40.1 (used 30.2; new 16.0, old 20.3, code 2.1, large 1.0) · external 3.0". */
function memoryLine(metrics: Record<string, number>): string {
  const mib = (key: string): string => ((metrics[key] ?? 0) / 2 ** 20).toFixed(1);
  const space = (s: string): string => mib(`foyer_heap_space_bytes{space="${s}"}`);
  const kind = (k: string): string => mib(`foyer_process_memory_bytes{kind="${k}"}`);
  return (
    `MiB: rss ${kind('resident')} · heap ${kind('heap_total')} (used ${kind('heap_used')}; ` +
    `new ${space('new_space')}, old ${space('old_space')}, code ${space('code_space')}, ` +
    `large ${space('large_object_space')}) · external ${kind('external')}`
  );
}

/** Where devices live when a system spans several server processes. */
export interface Topology {
  /** Whether a delivery from `sender` to `recipient` in `group` crosses between instances. */
  crosses(sender: number, recipient: number, group: number): boolean;
}

/**
 * One sample of several processes: CPU seconds and percentages added up; the peak is the sum
 * of each process's own peak (an upper bound of their joint peak).
 */
export function combineSamples(samples: ProcessSample[]): ProcessSample {
  if (samples.length === 1) return samples[0]!;
  const sum = (f: (s: ProcessSample) => number): number =>
    Math.round(samples.reduce((a, s) => a + f(s), 0) * 1000) / 1000;
  return {
    ...samples[0]!,
    peakRssBytes: sum((s) => s.peakRssBytes),
    serverCpuSeconds: sum((s) => s.serverCpuSeconds),
    serverCpuPercent: sum((s) => s.serverCpuPercent),
  };
}

/**
 * Phases 1–3 against one system, through `adapter`: connect every device, read the idle RSS,
 * run the latency phase, then the saturation phase while sampling the server process (each
 * of them, when the system is several federated servers).
 * @throws Error when a socket cannot be opened
 */
export async function runPhases(
  name: string,
  adapter: Adapter,
  procs: Child[],
  opts: BenchOptions,
  pop: Population,
  setup: SetupResult,
  log: (line: string) => void,
  counters?: () => Promise<Record<string, number>>,
  topology?: Topology,
): Promise<SystemRun> {
  const tracker = new Tracker(pop.devices.length, topology?.crosses);
  // The same seed for both systems: the same senders, groups and arrival gaps.
  const random = seededRandom(opts.seed);
  const client = new LoadClient({
    pop,
    tracker,
    random,
    groupIds: setup.groupIds,
    pools: setup.pools,
  });
  await client.connect(adapter);
  await sleep(IDLE_SETTLE_MS);
  const proc = procs[0]!;
  const since = (): number => Math.round((performance.now() - proc.spawnedAt) / 10) / 100;
  const idle = procs.map((p) => memoryStatus(p.pid));
  const idleMemory = idle[0]!;
  const idleRssBytes = idleMemory.rss;
  log(
    `${name}: ${pop.devices.length} sockets connected, idle RSS ${idle.map((m) => (m.rss / 2 ** 20).toFixed(1)).join(' + ')} MiB`,
  );

  log(`${name}: phase 1, ${opts.rate} msg/s Poisson for ${opts.latencySeconds} s`);
  const c0 = await counters?.();
  if (c0 !== undefined) log(`${name}:   idle memory ${memoryLine(c0)}`);
  const latencyFrom = since();
  const p1 = await latencyPhase(client, random, {
    rate: opts.rate,
    seconds: opts.latencySeconds,
    graceMs: opts.graceMs,
  });
  const latencyTo = since();
  const c1 = await counters?.();
  const latency = phaseFigures(p1, opts.latencySeconds, opts.rate);
  log(
    `${name}:   p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms, lost ${latency.lost}`,
  );

  log(`${name}: phase 2, ${opts.inFlight} in flight per device for ${opts.saturationSeconds} s`);
  const samplers = procs.map((p) => new ProcessSampler(p.pid));
  for (const sampler of samplers) sampler.start(100);
  const saturationFrom = since();
  let saturationTo = 0;
  const frames0 = { frames: tracker.itemFrames, items: tracker.itemsReceived };
  let itemsPerFrame = 0;
  const p2 = await saturationPhase(client, tracker, {
    inFlight: opts.inFlight,
    seconds: opts.saturationSeconds,
    graceMs: opts.graceMs,
    onWindowEnd: () => {
      saturationTo = since();
      const frames = tracker.itemFrames - frames0.frames;
      itemsPerFrame = frames === 0 ? 0 : (tracker.itemsReceived - frames0.items) / frames;
      return samplers.map((sampler) => sampler.stop());
    },
  });
  const saturation = saturationFigures(
    p2.phase,
    opts.saturationSeconds,
    opts.inFlight,
    combineSamples(p2.windowEndResult),
    itemsPerFrame,
  );
  log(
    `${name}:   ${saturation.acceptedPerSecond} msg/s, ${saturation.deliveriesPerSecond} deliveries/s, lost ${saturation.lost}`,
  );
  if (tracker.strayErrors.size > 0 || tracker.foreign > 0) {
    log(
      `${name}: stray errors ${JSON.stringify(Object.fromEntries(tracker.strayErrors))}, foreign deliveries ${tracker.foreign}`,
    );
  }
  const c2 = await counters?.();
  if (c2 !== undefined) log(`${name}:   after saturation ${memoryLine(c2)}`);
  await client.close();
  return {
    latency,
    saturation,
    idleRssBytes,
    idleMemory,
    ...(c0 !== undefined && c2 !== undefined
      ? { v8Memory: { idle: memoryGauges(c0), afterSaturation: memoryGauges(c2) } }
      : {}),
    statusItems: tracker.statusItems,
    foreignItems: tracker.foreign,
    processes: idle.map((m, i) => ({ idleRssBytes: m.rss, saturation: p2.windowEndResult[i]! })),
    ...(c0 !== undefined && c1 !== undefined && c2 !== undefined
      ? { counters: { latency: difference(c0, c1), saturation: difference(c1, c2) } }
      : {}),
    timeline: { latencyFrom, latencyTo, saturationFrom, saturationTo },
  };
}

function difference(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) out[k] = v - (a[k] ?? 0);
  return out;
}
