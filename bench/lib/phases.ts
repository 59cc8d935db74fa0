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
import { ProcessSampler } from './sampler.ts';
import type { SetupResult } from './setup.ts';
import { seededRandom } from './stats.ts';
import { Tracker } from './tracker.ts';

/** Idle time before reading the idle RSS, so setup's last requests are finished. */
const IDLE_SETTLE_MS = 1000;

export interface SystemRun {
  latency: LatencyFigures;
  saturation: SaturationFigures;
  idleRssBytes: number;
  idleMemory: ReturnType<typeof memoryStatus>;
  /** Server counters (/metrics) accumulated during each phase, when the system has them. */
  counters?: { latency: Record<string, number>; saturation: Record<string, number> };
  /** Seconds since the process was spawned (to cut a CPU profile to a phase). */
  timeline: {
    latencyFrom: number;
    latencyTo: number;
    saturationFrom: number;
    saturationTo: number;
  };
}

/**
 * Phases 1–3 against one system, through `adapter`: connect every device, read the idle RSS,
 * run the latency phase, then the saturation phase while sampling the process.
 * @throws Error when a socket cannot be opened
 */
export async function runPhases(
  name: string,
  adapter: Adapter,
  proc: Child,
  opts: BenchOptions,
  pop: Population,
  setup: SetupResult,
  log: (line: string) => void,
  counters?: () => Promise<Record<string, number>>,
): Promise<SystemRun> {
  const tracker = new Tracker(pop.devices.length);
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
  const pid = proc.pid;
  const since = (): number => Math.round((performance.now() - proc.spawnedAt) / 10) / 100;
  const idleMemory = memoryStatus(pid);
  const idleRssBytes = idleMemory.rss;
  log(
    `${name}: ${pop.devices.length} sockets connected, idle RSS ${(idleRssBytes / 2 ** 20).toFixed(1)} MiB`,
  );

  log(`${name}: phase 1, ${opts.rate} msg/s Poisson for ${opts.latencySeconds} s`);
  const c0 = await counters?.();
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
  const sampler = new ProcessSampler(pid);
  sampler.start(100);
  const saturationFrom = since();
  let saturationTo = 0;
  const frames0 = { frames: tracker.itemFrames, items: tracker.itemsReceived };
  let itemsPerFrame = 0;
  const p2 = await saturationPhase(client, tracker, pop.devices.length, {
    inFlight: opts.inFlight,
    seconds: opts.saturationSeconds,
    graceMs: opts.graceMs,
    onWindowEnd: () => {
      saturationTo = since();
      const frames = tracker.itemFrames - frames0.frames;
      itemsPerFrame = frames === 0 ? 0 : (tracker.itemsReceived - frames0.items) / frames;
      return sampler.stop();
    },
  });
  const saturation = saturationFigures(
    p2.phase,
    opts.saturationSeconds,
    opts.inFlight,
    p2.windowEndResult,
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
  await client.close();
  return {
    latency,
    saturation,
    idleRssBytes,
    idleMemory,
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
