/** The JSON document a run writes: every figure, the settings, the machine and the commit. */
import { ACK_EVERY_ITEMS, ACK_EVERY_MS } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { SystemRun } from './phases.ts';
import type { Population } from './population.ts';
import type { Budget, Machine } from './report.ts';
import { PLAINTEXT_BYTES, type SetupResult } from './setup.ts';

export interface ResultInput {
  opts: BenchOptions;
  pop: Population;
  startedAt: string;
  git: { commit: string; uncommittedChanges: boolean };
  machine: Machine;
  setup: SetupResult;
  setupMs: number;
  serverFlags: string[];
  rateLimit: string;
  foyer: SystemRun;
  relay: SystemRun;
  coldRuns: number[];
  coldMedian: number;
  /** foyer_mailbox_depth once the load is over (everything acknowledged: 0). */
  mailboxDepthAtEnd: number | null;
  ratio: number;
  /** Foyer's server CPU per delivery ÷ the relay's. */
  cpuRatio: number;
  budgets: Budget[];
}

/** The results document (format version 1); its shape is this literal, so no declared type. */
export function assembleResult(r: ResultInput) {
  const { opts, pop, setup, foyer, relay } = r;
  return {
    workload: 'household-25',
    formatVersion: 1,
    startedAt: r.startedAt,
    finishedAt: new Date().toISOString(),
    git: r.git,
    machine: r.machine,
    settings: {
      users: opts.users,
      devices: pop.devices.length,
      groups: {
        total: pop.groups.length,
        household: pop.groups.filter((g) => g.kind === 'household').length,
        circles: pop.groups.filter((g) => g.kind === 'circle').length,
        pairs: pop.groups.filter((g) => g.kind === 'pair').length,
        leaves: pop.groups.map((g) => g.devices.length),
      },
      payload: {
        plaintextBytes: PLAINTEXT_BYTES,
        messageBytes: setup.messageBytes,
        poolPerDeviceGroup: opts.pool,
        note: 'real MLS PrivateMessages generated before timing; each pool entry is resent with a fresh client message id (the hub deduplicates by id and never decrypts)',
      },
      latency: { arrivals: 'poisson', offeredPerSecond: opts.rate, seconds: opts.latencySeconds },
      saturation: { inFlightPerDevice: opts.inFlight, seconds: opts.saturationSeconds },
      coldStart: {
        runs: opts.coldStarts,
        unlock: 'key file',
        probe: 'GET /healthz polled about every millisecond',
      },
      graceMs: opts.graceMs,
      acks: {
        everyMs: ACK_EVERY_MS,
        everyItems: ACK_EVERY_ITEMS,
        note: 'the same on both systems; the relay reads and drops them',
      },
      seed: opts.seed,
      quick: opts.quick,
      server: {
        build: opts.server,
        command: `node ${opts.serverNodeArgs.map((a) => `${a} `).join('')}${opts.server === 'compiled' ? '<tsconfig.build.json output>/cli/main.js' : 'src/cli/main.ts'} start --data DIR --host 127.0.0.1 --port P ${r.serverFlags.join(' ')}`,
      },
      rateLimits: `per session and per address set to ${r.rateLimit}/min so that they never refuse benchmark traffic`,
      transport: 'WebSocket (ws client, no compression), 127.0.0.1',
      serverCpuProfile: opts.serverCpuProf ?? null,
    },
    durability: {
      flag: opts.durability,
      sqlite: {
        journal_mode: 'WAL',
        synchronous: opts.durability === 'full' ? 'FULL' : 'NORMAL',
      },
      acknowledgement:
        opts.durability === 'full'
          ? '`submitted` is sent after the batch transaction holding the message and its mailbox entries is committed with synchronous=FULL (fsynced)'
          : 'synchronous=NORMAL: a power loss may lose the last acknowledged commits',
    },
    setup: { totalMs: Math.round(r.setupMs), stepsMs: setup.stepsMs },
    foyer: {
      latency: foyer.latency,
      saturation: foyer.saturation,
      memory: {
        idleRssBytes: foyer.idleRssBytes,
        idleBreakdownBytes: foyer.idleMemory,
        peakRssBytes: foyer.saturation.process.peakRssBytes,
        v8Bytes: foyer.v8Memory ?? null,
      },
      timelineSeconds: {
        ...foyer.timeline,
        note: 'since the server was spawned; e.g. bench/profileSummary.ts --from/--to',
      },
      coldStart: {
        medianMs: Math.round(r.coldMedian * 10) / 10,
        runsMs: r.coldRuns.map((v) => Math.round(v * 10) / 10),
      },
      serverCounters: {
        note: 'deltas of /metrics during each phase; a write batch is one SQLite transaction (one fsync)',
        latency: counterSummary(foyer.counters?.latency, opts.latencySeconds),
        saturation: counterSummary(foyer.counters?.saturation, opts.saturationSeconds),
        mailboxDepthAtEnd: r.mailboxDepthAtEnd,
      },
    },
    relay: {
      latency: relay.latency,
      saturation: relay.saturation,
      memory: {
        idleRssBytes: relay.idleRssBytes,
        idleBreakdownBytes: relay.idleMemory,
        peakRssBytes: relay.saturation.process.peakRssBytes,
      },
    },
    ratio: {
      deliveriesPerSecond: Math.round(r.ratio * 1000) / 1000,
      serverCpuPerDelivery: Math.round(r.cpuRatio * 1000) / 1000,
      note: 'Foyer ÷ bare relay',
    },
    budgets: r.budgets,
  };
}

/** The hub's own counts for one phase, and what they say about write batching. */
function counterSummary(c: Record<string, number> | undefined, seconds: number) {
  if (c === undefined) return null;
  const batches = c['foyer_write_batches_total'] ?? 0;
  const jobs = c['foyer_write_jobs_total'] ?? 0;
  return {
    messagesAccepted: c['foyer_messages_accepted_total'] ?? 0,
    mailboxEnqueued: c['foyer_mailbox_enqueued_total'] ?? 0,
    mailboxPushed: c['foyer_mailbox_pushed_total'] ?? 0,
    writeBatches: batches,
    writeJobs: jobs,
    writeBatchesPerSecond: Math.round(batches / seconds),
    jobsPerBatch: batches === 0 ? 0 : Math.round((jobs / batches) * 10) / 10,
  };
}
