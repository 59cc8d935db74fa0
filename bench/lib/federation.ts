/**
 * The two-instance workload: the household population split between two real Foyer servers
 * on two loopback ports that federate (`--domain`, `--federation-peers`), each with its own
 * data folder. Users 0 … ceil(N/2)−1 live on the first instance, the rest on the second; a
 * group's hub is its creator's instance, so the household group and most circles and pairs
 * span both. Every device sends to all its groups, as in the one-instance workload: to a
 * group hubbed on the other instance through its own server, which forwards the submission
 * to the hub; every delivery to a device of the other instance crosses the hub's outbound
 * queue, a signed request and that instance's inbox before it is pushed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort } from '../../test/helpers/federation.ts';
import type { Adapter } from './load.ts';
import { serverFlags, type BenchOptions } from './options.ts';
import { runPhases, type SystemRun } from './phases.ts';
import { buildPopulation, type Population } from './population.ts';
import { createInvites, startFoyer, type FoyerProcess } from './processes.ts';
import { setUpPopulation, type SetupResult } from './setup.ts';

export const DOMAINS = ['maison.example', 'annexe.example'] as const;

/** Longest wait for a phase's last deliveries (the household's --grace-ms if longer). */
export const DRAIN_MS = 30_000;

export interface FederationRun {
  users: number;
  devices: number;
  groups: number;
  /** Users on each instance. */
  usersPerInstance: number[];
  /** Groups whose members live on both instances. */
  spanningGroups: number;
  setupMs: number;
  setupStepsMs: Record<string, number>;
  messageBytes: SetupResult['messageBytes'];
  serverFlags: string[];
  run: SystemRun;
}

/** Instance (0 or 1) of each user: the first half, rounded up, on the first. */
export function homeOfUser(users: number): (user: number) => number {
  const first = Math.ceil(users / 2);
  return (u) => (u < first ? 0 : 1);
}

/**
 * Whether a message of `group` from `sender` to `recipient` crosses between instances: the
 * sender's submission goes to a remote hub, or the hub's delivery to a remote device.
 */
export function crossesInstances(
  pop: Population,
  home: (user: number) => number,
): (sender: number, recipient: number, group: number) => boolean {
  const hubOf = pop.groups.map((g) => home(g.users[0]!));
  const homeOf = pop.devices.map((d) => home(d.user));
  return (sender, recipient, group) =>
    homeOf[sender] !== hubOf[group] || homeOf[recipient] !== hubOf[group];
}

/**
 * Sets up the split population on two fresh servers, runs phases 1–3 against both at once,
 * and stops them.
 * @throws Error when a server does not start or the setup fails
 */
export async function runFederation(
  opts: BenchOptions,
  cli: string,
  log: (line: string) => void,
): Promise<FederationRun> {
  const users = opts.federationUsers;
  const pop = buildPopulation(users);
  const home = homeOfUser(users);
  const ports = [await freePort(), await freePort()];
  const dirs = [0, 1].map((i) => mkdtempSync(join(tmpdir(), `foyer-bench-fed${i}-`)));
  const flags = (i: number): string[] => [
    ...serverFlags(opts, users),
    '--domain',
    DOMAINS[i]!,
    '--federation-peers',
    `${DOMAINS[1 - i]!}=http://127.0.0.1:${ports[1 - i]!}`,
  ];
  const servers: FoyerProcess[] = [];
  try {
    log(
      `federation: ${users} users × 2 devices on ${DOMAINS.join(' and ')}, ${pop.groups.length} groups`,
    );
    const t0 = performance.now();
    for (const i of [0, 1]) {
      servers.push(
        await startFoyer({
          cli,
          dataDir: dirs[i]!,
          port: ports[i]!,
          flags: flags(i),
          nodeArgs: opts.serverNodeArgs,
        }),
      );
    }
    const usersPerInstance = [0, 1].map(
      (i) => Array.from({ length: users }, (_, u) => u).filter((u) => home(u) === i).length,
    );
    const instances = await Promise.all(
      servers.map(async (s, i) => {
        if (s.adminInvite === undefined) throw new Error(`no admin invite printed:\n${s.output()}`);
        const more = await createInvites(cli, dirs[i]!, usersPerInstance[i]! - 1);
        return { url: s.url, invites: [s.adminInvite, ...more] };
      }),
    );
    const setup = await setUpPopulation({
      instances,
      homeOf: home,
      population: pop,
      poolSize: opts.pool,
      log,
    });
    const setupMs = performance.now() - t0;
    log(`federation: setup ${Math.round(setupMs)} ms`);

    const homeOfDevice = Uint8Array.from(pop.devices, (d) => home(d.user));
    const tokens = setup.devices.map((d) => d.token);
    const adapter: Adapter = {
      name: 'foyer',
      url: (device) => `${servers[homeOfDevice[device]!]!.url.replace('http', 'ws')}/api/v1/ws`,
      hello: (device) => JSON.stringify({ op: 'auth', token: tokens[device] }),
      acks: true,
    };
    // The queue to the other instance drains after the window: wait for it (a phase ends as
    // soon as everything has arrived), so that late is not counted as lost.
    const drainOpts = { ...opts, graceMs: Math.max(opts.graceMs, DRAIN_MS) };
    const run = await runPhases(
      'federation',
      adapter,
      servers,
      drainOpts,
      pop,
      setup,
      log,
      undefined,
      {
        crosses: crossesInstances(pop, home),
      },
    );
    return {
      users,
      devices: pop.devices.length,
      groups: pop.groups.length,
      usersPerInstance,
      spanningGroups: pop.groups.filter((g) => new Set(g.users.map(home)).size > 1).length,
      setupMs: Math.round(setupMs),
      setupStepsMs: setup.stepsMs,
      messageBytes: setup.messageBytes,
      serverFlags: flags(0),
      run,
    };
  } finally {
    for (const s of servers) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
