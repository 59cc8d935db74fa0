/**
 * What a run reports: the JSON shape of a phase, the machine and commit measured, the
 * budgets of ARCHITECTURE.md ("Performance budgets") set beside the figures, and the short
 * human table printed on standard output.
 */
import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import type { PhaseStats } from './tracker.ts';
import type { Percentiles } from './stats.ts';
import type { ProcessSample } from './sampler.ts';
import { ROOT } from './processes.ts';

export interface LatencyFigures {
  offeredPerSecond: number;
  seconds: number;
  sent: number;
  accepted: number;
  errors: Record<string, number>;
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  duplicates: number;
  misdirected: number;
  latencyMs: Percentiles;
  /** Deliveries to a device of another instance than the sender's (federated runs only). */
  crossInstanceLatencyMs?: Percentiles;
  submitAckMs: Percentiles;
}

export interface SaturationFigures extends LatencyFigures {
  inFlightPerDevice: number;
  acceptedPerSecond: number;
  deliveriesPerSecond: number;
  /** Deliveries that arrived within the measured window (deliveriesPerSecond × seconds). */
  deliveredInWindow: number;
  /**
   * Server CPU time per delivery in the window, microseconds: the server process's own CPU
   * seconds (/proc/PID/stat) ÷ deliveries counted in the same window. Unlike deliveries/s it
   * does not depend on what else holds the machine back (the load generator, other work).
   */
  serverCpuMicrosPerDelivery: number;
  /** Deliveries per pushed `items` frame in the window (the server's batching). */
  itemsPerFrame: number;
  process: ProcessSample;
}

/** The JSON figures of one phase. */
export function phaseFigures(p: PhaseStats, seconds: number, offered: number): LatencyFigures {
  return {
    offeredPerSecond: offered,
    seconds,
    sent: p.sent,
    accepted: p.accepted,
    errors: Object.fromEntries(p.errorCodes),
    expectedDeliveries: p.expected,
    delivered: p.delivered,
    lost: p.expected - p.delivered,
    duplicates: p.duplicates,
    misdirected: p.unexpected,
    latencyMs: p.latency.summary(),
    ...(p.crossLatency.length > 0 ? { crossInstanceLatencyMs: p.crossLatency.summary() } : {}),
    submitAckMs: p.ackLatency.summary(),
  };
}

export function saturationFigures(
  p: PhaseStats,
  seconds: number,
  inFlight: number,
  process: ProcessSample,
  itemsPerFrame: number,
): SaturationFigures {
  return {
    ...phaseFigures(p, seconds, 0),
    inFlightPerDevice: inFlight,
    acceptedPerSecond: Math.round(p.acceptedInWindow / seconds),
    deliveriesPerSecond: Math.round(p.deliveredInWindow / seconds),
    deliveredInWindow: p.deliveredInWindow,
    itemsPerFrame: Math.round(itemsPerFrame * 10) / 10,
    serverCpuMicrosPerDelivery: microsPerDelivery(process.serverCpuSeconds, p.deliveredInWindow),
    process,
  };
}

/** CPU seconds ÷ deliveries, in microseconds to 0.01 (0 when nothing was delivered). */
export function microsPerDelivery(cpuSeconds: number, deliveries: number): number {
  return deliveries === 0 ? 0 : Math.round((cpuSeconds * 1e8) / deliveries) / 100;
}

export interface Machine {
  node: string;
  v8: string;
  cpuModel: string;
  cores: number;
  kernel: string;
  memoryBytes: number;
}

export function machine(): Machine {
  const c = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    kernel: release(),
    memoryBytes: totalmem(),
  };
}

/** The commit measured, and whether the working tree differed from it. */
export function gitState(): { commit: string; uncommittedChanges: boolean } {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return {
    commit: head.status === 0 ? head.stdout.trim() : 'unknown',
    uncommittedChanges: status.status === 0 && status.stdout.trim() !== '',
  };
}

export interface Budget {
  name: string;
  budget: string;
  value: number | null;
  unit: string;
  /** null: not measured by this benchmark, or not applicable to a reduced population. */
  met: boolean | null;
  note?: string;
}

/**
 * Prosody 0.12 measured on the same workload beside Foyer (ARCHITECTURE.md, "Performance
 * budgets"), for context and for the throughput budget (15× Prosody's deliveries/s).
 */
export const PROSODY = {
  deliveriesPerSecond: 8220,
  p99Ms: 36,
  idleMiB: 19,
  peakMiB: 22,
  firstLoginMs: 72,
};

const MiB = 1024 * 1024;

/** ARCHITECTURE.md's budgets, each judged against this run's figures. */
export function judgeBudgets(f: {
  fullPopulation: boolean;
  deliveriesPerSecond: number;
  serverCpuMicrosPerDelivery: number;
  p99Ms: number;
  idleRssBytes: number;
  peakRssBytes: number;
  coldStartMedianMs: number;
}): Budget[] {
  const judged = (met: boolean): boolean | null => (f.fullPopulation ? met : null);
  const note = f.fullPopulation ? {} : { note: 'reduced population: budgets apply to 25 users' };
  const throughput = 15 * PROSODY.deliveriesPerSecond;
  return [
    {
      name: 'saturation deliveries/s (15× Prosody)',
      budget: `≥ ${throughput}`,
      value: f.deliveriesPerSecond,
      unit: '/s',
      met: judged(f.deliveriesPerSecond >= throughput),
      ...note,
    },
    {
      name: 'server CPU per delivery',
      budget: '≤ 5 µs',
      value: f.serverCpuMicrosPerDelivery,
      unit: 'µs',
      met: judged(f.serverCpuMicrosPerDelivery <= 5),
      ...note,
    },
    {
      name: 'p99 latency at household load',
      budget: '≤ 3 ms',
      value: f.p99Ms,
      unit: 'ms',
      met: judged(f.p99Ms <= 3),
      ...note,
    },
    {
      name: 'RSS, 50 devices connected, idle',
      budget: '≤ 80 MiB',
      value: round1(f.idleRssBytes / MiB),
      unit: 'MiB',
      met: judged(f.idleRssBytes <= 80 * MiB),
      ...note,
    },
    {
      name: 'RSS peak during saturation',
      budget: '≤ 130 MiB',
      value: round1(f.peakRssBytes / MiB),
      unit: 'MiB',
      met: judged(f.peakRssBytes <= 130 * MiB),
      ...note,
    },
    {
      name: 'cold start (median, key file)',
      budget: '≤ 120 ms',
      value: Math.round(f.coldStartMedianMs),
      unit: 'ms',
      met: judged(f.coldStartMedianMs <= 120),
      ...note,
    },
    {
      name: 'web app gzipped JS on first load',
      budget: '≤ 150 KB',
      value: null,
      unit: 'KB',
      met: null,
      note: 'not measured by this benchmark',
    },
    {
      name: 'MLS encrypt+decrypt in Chromium',
      budget: '< 1 ms',
      value: null,
      unit: 'ms',
      met: null,
      note: 'not measured here (bench/crypto.ts measures Node)',
    },
  ];
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** A load generator at this share of one core or more is what limits the deliveries/s. */
export const LOADGEN_BOUND_PERCENT = 90;

/** The short table printed at the end of a run. */
export function humanTable(r: {
  title: string;
  foyer: {
    latency: LatencyFigures;
    saturation: SaturationFigures;
    idleRssBytes: number;
    coldStartMedianMs: number;
    coldStartRunsMs: number[];
  };
  relay: { latency: LatencyFigures; saturation: SaturationFigures; idleRssBytes: number };
  ratio: number;
  /** Foyer's server CPU per delivery ÷ the relay's. */
  cpuRatio: number;
  budgets: Budget[];
}): string {
  const lat = (l: LatencyFigures): string =>
    `${l.latencyMs.p50} / ${l.latencyMs.p95} / ${l.latencyMs.p99} / ${l.latencyMs.max}`;
  const rows: Array<[string, string, string]> = [
    ['', 'Foyer', 'bare relay'],
    ['latency p50/p95/p99/max ms', lat(r.foyer.latency), lat(r.relay.latency)],
    [
      'deliveries (lost) phase 1',
      `${r.foyer.latency.delivered} (${r.foyer.latency.lost})`,
      `${r.relay.latency.delivered} (${r.relay.latency.lost})`,
    ],
    [
      'saturation messages/s',
      String(r.foyer.saturation.acceptedPerSecond),
      String(r.relay.saturation.acceptedPerSecond),
    ],
    [
      'saturation deliveries/s',
      String(r.foyer.saturation.deliveriesPerSecond),
      String(r.relay.saturation.deliveriesPerSecond),
    ],
    ['deliveries lost phase 2', String(r.foyer.saturation.lost), String(r.relay.saturation.lost)],
    [
      'server CPU µs per delivery (phase 2)',
      String(r.foyer.saturation.serverCpuMicrosPerDelivery),
      String(r.relay.saturation.serverCpuMicrosPerDelivery),
    ],
    [
      'deliveries per pushed frame (phase 2)',
      String(r.foyer.saturation.itemsPerFrame),
      String(r.relay.saturation.itemsPerFrame),
    ],
    [
      'server / loadgen CPU % (phase 2)',
      `${r.foyer.saturation.process.serverCpuPercent} / ${r.foyer.saturation.process.loadgenCpuPercent}`,
      `${r.relay.saturation.process.serverCpuPercent} / ${r.relay.saturation.process.loadgenCpuPercent}`,
    ],
    [
      'machine idle / iowait % (phase 2)',
      `${r.foyer.saturation.process.machine.idle} / ${r.foyer.saturation.process.machine.iowait}`,
      `${r.relay.saturation.process.machine.idle} / ${r.relay.saturation.process.machine.iowait}`,
    ],
    [
      'RSS idle / peak MiB',
      `${round1(r.foyer.idleRssBytes / MiB)} / ${round1(r.foyer.saturation.process.peakRssBytes / MiB)}`,
      `${round1(r.relay.idleRssBytes / MiB)} / ${round1(r.relay.saturation.process.peakRssBytes / MiB)}`,
    ],
    [
      'cold start median ms (runs)',
      `${Math.round(r.foyer.coldStartMedianMs)} (${r.foyer.coldStartRunsMs.map((v) => Math.round(v)).join(', ')})`,
      '-',
    ],
  ];
  const lines = [r.title, ''];
  for (const [a, b, c] of rows) lines.push(`  ${pad(a, 40)}${pad(b, 30)}${c}`);
  lines.push(
    '',
    `  Foyer ÷ bare relay: deliveries/s ${r.ratio.toFixed(2)}, server CPU per delivery ${r.cpuRatio.toFixed(2)}`,
  );
  for (const [name, sat] of [
    ['Foyer', r.foyer.saturation],
    ['the bare relay', r.relay.saturation],
  ] as const) {
    if (sat.process.loadgenCpuPercent >= LOADGEN_BOUND_PERCENT) {
      lines.push(
        `  Note: the load generator used ${sat.process.loadgenCpuPercent} % of a core during ${name}'s phase 2: ` +
          'those deliveries/s are its limit; compare the CPU per delivery.',
      );
    }
  }
  lines.push('', '  Budgets (ARCHITECTURE.md):');
  for (const b of r.budgets) {
    const verdict = b.met === null ? 'n/a' : b.met ? 'met' : 'NOT MET';
    const value =
      b.value === null ? '-' : `${b.value}${b.unit === '' || b.unit === '/s' ? '' : ` ${b.unit}`}`;
    lines.push(
      `    ${pad(b.name, 40)}${pad(b.budget, 11)}${pad(value, 12)}${verdict}${b.note === undefined ? '' : ` (${b.note})`}`,
    );
  }
  lines.push(
    `  For context, Prosody 0.12 on this workload (2 cores): ${PROSODY.deliveriesPerSecond} deliveries/s, ` +
      `p99 ${PROSODY.p99Ms} ms, ${PROSODY.idleMiB} / ${PROSODY.peakMiB} MiB, ${PROSODY.firstLoginMs} ms to first login.`,
  );
  return lines.join('\n');
}
