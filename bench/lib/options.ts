/** Command-line options of `npm run bench` (bench/household.ts), parsed once. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  out: string;
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
}

export const USAGE = `Usage: node bench/household.ts [options]   (npm run bench -- [options])

The household-25 benchmark (shared/bench/WORKLOAD.md) against the real Foyer server and a
bare ws relay, in the same run.

  --out FILE                JSON results (default bench/results/household-<date>.json)
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
  const date = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    out: values.out ?? `bench/results/household-${date}.json`,
    quick,
    users: int('users', values.users, 25, 2),
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
  };
}
