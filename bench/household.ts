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
 *
 * Two more workloads run after it by default (`--variants`): end to end, where a smaller
 * population's clients encrypt and decrypt every message (bench/lib/e2e.ts), and two
 * federated servers sharing the population (bench/lib/federation.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Adapter } from './lib/load.ts';
import { parseOptions, serverFlags, UNLIMITED, USAGE, type BenchOptions } from './lib/options.ts';
import { buildPopulation } from './lib/population.ts';
import { runPhases } from './lib/phases.ts';
import { assembleResult } from './lib/result.ts';
import { coldStart, createInvites, startFoyer, startRelay, type Child } from './lib/processes.ts';
import { gitState, humanTable, judgeBudgets, machine } from './lib/report.ts';
import { serverBuild, type ServerBuild } from './lib/build.ts';
import { runE2e, type E2eRun } from './lib/e2e.ts';
import { runFederation, type FederationRun } from './lib/federation.ts';
import { e2eResult, e2eTable, federationResult, federationTable } from './lib/variants.ts';
import { setUpPopulation } from './lib/setup.ts';
import { median } from './lib/stats.ts';

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

/** The household workload: phases 1–5 against Foyer, then 1–3 against the bare relay. */
async function runHousehold(
  opts: BenchOptions,
  build: ServerBuild,
  startedAt: string,
): Promise<{ result: ReturnType<typeof assembleResult>; table: string }> {
  const pop = buildPopulation(opts.users);
  const dataDir = mkdtempSync(join(tmpdir(), 'foyer-bench-'));
  const flags = serverFlags(opts, opts.users);
  const running: Child[] = [];
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
      instances: [{ url: server.url, invites }],
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
      url: () => `${server.url.replace('http', 'ws')}/api/v1/ws`,
      hello: (device) => JSON.stringify({ op: 'auth', token: tokens[device] }),
      acks: true,
    };
    const foyer = await runPhases('foyer', foyerAdapter, [server], opts, pop, setup, log, () =>
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
      url: () => relayProc.url,
      hello: (device) =>
        JSON.stringify({
          op: 'hello',
          groups: pop.devices[device]!.groups.map((g) => setup.groupIds[g]),
        }),
      acks: true,
    };
    const relay = await runPhases('relay', relayAdapter, [relayProc], opts, pop, setup, log);
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
    const title =
      `household-${opts.users} · commit ${git.commit.slice(0, 12)}${git.uncommittedChanges ? ' (+ uncommitted changes)' : ''} · ` +
      `${m.cpuModel} × ${m.cores} · Node ${m.node} · ${opts.server} server · durability ${opts.durability} (synchronous=${result.durability.sqlite.synchronous}, WAL) · setup ${(setupMs / 1000).toFixed(1)} s`;
    const table = humanTable({
      title,
      foyer: { ...foyer, coldStartMedianMs: coldMedian, coldStartRunsMs: coldRuns },
      relay,
      ratio,
      cpuRatio,
      budgets,
    });
    return { result, table };
  } finally {
    for (const c of running) await c.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(opts: BenchOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  log(`preparing the ${opts.server} server`);
  const build = serverBuild(opts.server);
  try {
    let household: Awaited<ReturnType<typeof runHousehold>> | undefined;
    let e2e: E2eRun | undefined;
    let federation: FederationRun | undefined;
    for (const v of opts.variants) {
      if (v === 'household') household = await runHousehold(opts, build, startedAt);
      else if (v === 'e2e') e2e = await runE2e(opts, build.cli, log);
      else federation = await runFederation(opts, build.cli, log);
    }
    const git = gitState();
    const m = machine();
    const doc = {
      ...(household?.result ?? {
        workload: 'household-25',
        formatVersion: 1,
        startedAt,
        finishedAt: new Date().toISOString(),
        git,
        machine: m,
      }),
      variants: opts.variants,
      e2e: e2e === undefined ? null : e2eResult(e2e, opts),
      federation: federation === undefined ? null : federationResult(federation, opts),
    };
    mkdirSync(dirname(resolve(opts.out)), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(doc, null, 2)}\n`);
    const tables = [
      household?.table,
      e2e === undefined ? undefined : e2eTable(e2e),
      federation === undefined ? undefined : federationTable(federation),
    ].filter((t) => t !== undefined);
    process.stdout.write(`${tables.join('\n\n')}\n`);
    process.stdout.write(`\nResults written to ${opts.out}\n`);
  } finally {
    build.dispose();
  }
}

const parsed = parseOptions(process.argv.slice(2));
if (parsed === 'help') process.stdout.write(USAGE);
else await main(parsed);
