/** Command-line options of `npm run bench` (bench/household.ts), parsed once. */
import { parseArgs } from 'node:util';

/** The workloads a run can measure (`--variants`). */
export const VARIANTS = ['household', 'e2e', 'federation'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface BenchOptions {
  out: string;
  /** Which workloads run, in this order. */
  variants: Variant[];
  quick: boolean;
  users: number;
  latencySeconds: number;
  rate: number;
  saturationSeconds: number;
  inFlight: number;
  pool: number;
  coldStarts: number;
  graceMs: number;
  durability: 'full' | 'normal';
  seed: number;
  /** Run the compiled server (as bin/foyer.js does) or the TypeScript sources. */
  server: 'compiled' | 'source';
  /** Start the measured Foyer server with `--cpu-prof` into this folder. */
  serverCpuProf: string | undefined;
  /** Extra Node flags for the measured server (and its cold starts), e.g. heap limits. */
  serverNodeArgs: string[];
  /** End to end: users (× 2 devices) whose clients decrypt, and its phase lengths. */
  e2eUsers: number;
  e2eLatencySeconds: number;
  e2eSaturationSeconds: number;
  e2eInFlight: number;
  /** Two instances: users split between them (the first half on the first). */
  federationUsers: number;
}

export const USAGE = `Usage: node bench/household.ts [options]   (npm run bench -- [options])

The household-25 benchmark (shared/bench/WORKLOAD.md) against the real Foyer server and a
bare ws relay, in the same run.

  --out FILE                JSON results (default bench/results/household-<date>.json)
  --variants LIST           comma-separated workloads to run, in order (default
                            household,e2e,federation):
                              household   one server and the bare relay, phases 1-5
                              e2e         one server; receiving clients decrypt every message
                              federation  two federated servers on two loopback ports
  --quick                   5 s phases, 3 cold starts: a smoke run
  --users N                 population of N users × 2 devices (default 25; budgets apply at 25)
  --latency-seconds S       phase 1 duration (default 30; quick 5)
  --rate R                  phase 1 offered messages/s (default 50)
  --saturation-seconds S    phase 2 duration (default 20; quick 5)
  --in-flight N             phase 2 messages in flight per device (default 4)
  --pool N                  pre-generated MLS messages per (device, group) (default 16)
  --cold-starts N           phase 4 repetitions (default 5; quick 3)
  --grace-ms MS             wait for late deliveries after a phase (default 5000)
  --durability full|normal  the server's SQLite durability (default full)
  --server compiled|source  run the server compiled by tsconfig.build.json, as bin/foyer.js
                            does (default), or src/cli/main.ts through Node's type stripping
  --seed N                  random seed for arrivals and choices (default 1)
  --server-cpu-prof DIR     run the measured server under --cpu-prof, profile into DIR
  --server-node-arg FLAG    an extra Node flag for the server, e.g.
                            --server-node-arg=--max-semi-space-size=1 (repeatable)
  --e2e-users N             end to end: N users × 2 devices (default 5)
  --e2e-latency-seconds S   end to end: phase 1 duration (default 20; quick 5)
  --e2e-saturation-seconds S  end to end: closed-loop phase duration (default 10; quick 5)
  --e2e-in-flight N         end to end: messages in flight per device (default 2)
  --federation-users N      two instances: N users, the first ceil(N/2) on the first
                            instance (default: --users); phases as --latency-seconds etc.
`;

function int(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return n;
}

/**
 * Parses the command line.
 * @throws Error with a message naming the bad option
 */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      users: { type: 'string' },
      'latency-seconds': { type: 'string' },
      rate: { type: 'string' },
      'saturation-seconds': { type: 'string' },
      'in-flight': { type: 'string' },
      pool: { type: 'string' },
      'cold-starts': { type: 'string' },
      'grace-ms': { type: 'string' },
      durability: { type: 'string', default: 'full' },
      seed: { type: 'string' },
      server: { type: 'string', default: 'compiled' },
      'server-cpu-prof': { type: 'string' },
      'server-node-arg': { type: 'string', multiple: true, default: [] },
      variants: { type: 'string', default: VARIANTS.join(',') },
      'e2e-users': { type: 'string' },
      'e2e-latency-seconds': { type: 'string' },
      'e2e-saturation-seconds': { type: 'string' },
      'e2e-in-flight': { type: 'string' },
      'federation-users': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick;
  if (values.durability !== 'full' && values.durability !== 'normal') {
    throw new Error('--durability must be full or normal');
  }
  if (values.server !== 'compiled' && values.server !== 'source') {
    throw new Error('--server must be compiled or source');
  }
  const variants = values.variants.split(',').map((v) => v.trim());
  for (const v of variants) {
    if (!(VARIANTS as readonly string[]).includes(v))
      throw new Error(`--variants: unknown workload "${v}" (known: ${VARIANTS.join(', ')})`);
  }
  if (variants.length === 0 || new Set(variants).size !== variants.length)
    throw new Error('--variants must name each workload at most once');
  const users = int('users', values.users, 25, 2);
  const date = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    variants: variants as Variant[],
    out: values.out ?? `bench/results/household-${date}.json`,
    quick,
    users,
    latencySeconds: int('latency-seconds', values['latency-seconds'], quick ? 5 : 30, 1),
    rate: int('rate', values.rate, 50, 1),
    saturationSeconds: int('saturation-seconds', values['saturation-seconds'], quick ? 5 : 20, 1),
    inFlight: int('in-flight', values['in-flight'], 4, 1),
    pool: int('pool', values.pool, 16, 1),
    coldStarts: int('cold-starts', values['cold-starts'], quick ? 3 : 5, 1),
    graceMs: int('grace-ms', values['grace-ms'], 5000, 0),
    durability: values.durability,
    seed: int('seed', values.seed, 1, 0),
    server: values.server,
    serverCpuProf: values['server-cpu-prof'],
    serverNodeArgs: values['server-node-arg'],
    e2eUsers: int('e2e-users', values['e2e-users'], 5, 2),
    e2eLatencySeconds: int('e2e-latency-seconds', values['e2e-latency-seconds'], quick ? 5 : 20, 1),
    e2eSaturationSeconds: int(
      'e2e-saturation-seconds',
      values['e2e-saturation-seconds'],
      quick ? 5 : 10,
      1,
    ),
    e2eInFlight: int('e2e-in-flight', values['e2e-in-flight'], 2, 1),
    // Two users per instance at least: a remote key package is claimed by another local user.
    federationUsers: int('federation-users', values['federation-users'], users, 4),
  };
}

/** Requests per minute: far above the load, so the limiter never refuses a benchmark request. */
export const UNLIMITED = '10000000';

/** The `foyer start` flags every measured server runs with, for a population of `users`. */
export function serverFlags(opts: BenchOptions, users: number): string[] {
  return [
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
    ...(users > 25 ? ['--max-users', String(users)] : []),
  ];
}
