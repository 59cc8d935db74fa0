/**
 * The household-25 benchmark (shared/bench/WORKLOAD.md): the real Foyer server, started
 * through its CLI on loopback, then the bare `ws` relay (bench/bareRelay.ts) on the same
 * payloads with the same client code. `npm run bench -- --help` lists the options.
 *
 * Setup (untimed, its duration reported): 25 users × 2 devices, 31 MLS groups built with
 * real commits and Welcomes through the hub, 50 WebSockets, and a pool of real MLS
 * application messages (100-byte plaintext) per (device, group). A pool entry is sent many
 * times, each time with a fresh client message id: the hub deduplicates by id and never
 * decrypts, so its work is the same as for fresh ciphertexts.
 *
 * Phases: 1 latency (Poisson, 50 msg/s, 30 s) · 2 saturation (4 in flight per device, 20 s)
 * · 3 memory (idle after setup, peak in phase 2) · 4 cold start (5 restarts to /healthz) ·
 * 5 durability (the SQLite settings the server ran with).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Adapter } from './lib/load.ts';
import { parseOptions, USAGE, type BenchOptions } from './lib/options.ts';
import { buildPopulation } from './lib/population.ts';
import { runPhases } from './lib/phases.ts';
import { assembleResult } from './lib/result.ts';
import { coldStart, createInvites, startFoyer, startRelay, type Child } from './lib/processes.ts';
import { gitState, humanTable, judgeBudgets, machine } from './lib/report.ts';
import { serverBuild } from './lib/build.ts';
import { setUpPopulation } from './lib/setup.ts';
import { median } from './lib/stats.ts';

/** Requests per minute: far above the load, so the limiter never refuses a benchmark request. */
const UNLIMITED = '10000000';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Prometheus counters of the running server. */
async function scrapeMetrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(foyer_[a-z_]+(?:\{[^}]*\})?) (\d+(?:\.\d+)?)$/.exec(line);
    if (m !== null) out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function main(opts: BenchOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  const pop = buildPopulation(opts.users);
  const dataDir = mkdtempSync(join(tmpdir(), 'foyer-bench-'));
  const flags = [
    '--log-level',
    'warn',
    '--durability',
    opts.durability,
    '--rate-limit-per-session',
    UNLIMITED,
    '--rate-limit-per-address',
    UNLIMITED,
    // Every simulated device connects from 127.0.0.1: one address, unlike a real household.
    '--max-connections-per-address',
    '100000',
    ...(opts.users > 25 ? ['--max-users', String(opts.users)] : []),
  ];
  const running: Child[] = [];
  log(`preparing the ${opts.server} server`);
  const build = serverBuild(opts.server);
  const cli = build.cli;
  try {
    log(`setup: ${opts.users} users × 2 devices, ${pop.groups.length} groups, data in ${dataDir}`);
    const t0 = performance.now();
    const profArgs =
      opts.serverCpuProf === undefined
        ? []
        : ['--cpu-prof', '--cpu-prof-dir', resolve(opts.serverCpuProf)];
    const nodeArgs = [...opts.serverNodeArgs, ...profArgs];
    const server = await startFoyer({ cli, dataDir, port: 0, flags, nodeArgs });
    running.push(server);
    if (server.adminInvite === undefined)
      throw new Error(`no admin invite printed:\n${server.output()}`);
    const invites = [server.adminInvite, ...(await createInvites(cli, dataDir, opts.users - 1))];
    const setup = await setUpPopulation({
      url: server.url,
      invites,
      population: pop,
      poolSize: opts.pool,
      log,
    });
    const setupMs = performance.now() - t0;
    log(
      `setup: ${Math.round(setupMs)} ms (messages ${setup.messageBytes.avg.toFixed(0)} B on average)`,
    );

    const tokens = setup.devices.map((d) => d.token);
    const foyerAdapter: Adapter = {
      name: 'foyer',
      url: `${server.url.replace('http', 'ws')}/api/v1/ws`,
      hello: (device) => JSON.stringify({ op: 'auth', token: tokens[device] }),
      acks: true,
    };
    const foyer = await runPhases('foyer', foyerAdapter, server, opts, pop, setup, log, () =>
      scrapeMetrics(server.url),
    );
    const depthAtEnd = (await scrapeMetrics(server.url))['foyer_mailbox_depth'] ?? null;
    await server.stop();
    running.splice(running.indexOf(server), 1);

    log(`foyer: phase 4, ${opts.coldStarts} cold starts`);
    const coldRuns: number[] = [];
    for (let i = 0; i < opts.coldStarts; i++) {
      const { ms, child } = await coldStart({
        nodeArgs: opts.serverNodeArgs,
        cli,
        dataDir,
        port: server.port,
        flags,
      });
      coldRuns.push(ms);
      await child.stop();
    }
    const coldMedian = median(coldRuns);
    log(`foyer:   median ${coldMedian.toFixed(0)} ms`);

    const relayProc = await startRelay(build.relay);
    running.push(relayProc);
    const relayAdapter: Adapter = {
      name: 'relay',
      url: relayProc.url,
      hello: (device) =>
        JSON.stringify({
          op: 'hello',
          groups: pop.devices[device]!.groups.map((g) => setup.groupIds[g]),
        }),
      acks: true,
    };
    const relay = await runPhases('relay', relayAdapter, relayProc, opts, pop, setup, log);
    await relayProc.stop();
    running.splice(running.indexOf(relayProc), 1);

    const ratio =
      relay.saturation.deliveriesPerSecond === 0
        ? 0
        : foyer.saturation.deliveriesPerSecond / relay.saturation.deliveriesPerSecond;
    const cpuRatio =
      relay.saturation.serverCpuMicrosPerDelivery === 0
        ? 0
        : foyer.saturation.serverCpuMicrosPerDelivery / relay.saturation.serverCpuMicrosPerDelivery;
    const budgets = judgeBudgets({
      fullPopulation: opts.users === 25,
      deliveriesPerSecond: foyer.saturation.deliveriesPerSecond,
      serverCpuMicrosPerDelivery: foyer.saturation.serverCpuMicrosPerDelivery,
      p99Ms: foyer.latency.latencyMs.p99,
      idleRssBytes: foyer.idleRssBytes,
      peakRssBytes: foyer.saturation.process.peakRssBytes,
      coldStartMedianMs: coldMedian,
    });
    const git = gitState();
    const m = machine();
    const result = assembleResult({
      opts,
      pop,
      startedAt,
      git,
      machine: m,
      setup,
      setupMs,
      serverFlags: flags,
      rateLimit: UNLIMITED,
      foyer,
      relay,
      coldRuns,
      coldMedian,
      mailboxDepthAtEnd: depthAtEnd,
      ratio,
      cpuRatio,
      budgets,
    });
    mkdirSync(dirname(resolve(opts.out)), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
    const title =
      `household-${opts.users} · commit ${git.commit.slice(0, 12)}${git.uncommittedChanges ? ' (+ uncommitted changes)' : ''} · ` +
      `${m.cpuModel} × ${m.cores} · Node ${m.node} · ${opts.server} server · durability ${opts.durability} (synchronous=${result.durability.sqlite.synchronous}, WAL) · setup ${(setupMs / 1000).toFixed(1)} s`;
    process.stdout.write(
      `${humanTable({ title, foyer: { ...foyer, coldStartMedianMs: coldMedian, coldStartRunsMs: coldRuns }, relay, ratio, cpuRatio, budgets })}\n`,
    );
    process.stdout.write(`\nResults written to ${opts.out}\n`);
  } finally {
    for (const c of running) await c.stop();
    rmSync(dataDir, { recursive: true, force: true });
    build.dispose();
  }
}

const parsed = parseOptions(process.argv.slice(2));
if (parsed === 'help') process.stdout.write(USAGE);
else await main(parsed);
