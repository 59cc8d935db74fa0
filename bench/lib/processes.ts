/**
 * The processes a benchmark run measures: the real Foyer server started through its CLI
 * (`node src/cli/main.ts start`), `foyer invite create`, and the bare relay. Each runs in its
 * own child process so that its resident memory and CPU time can be read from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'src/cli/main.ts');
export const RELAY = join(ROOT, 'bench/bareRelay.ts');

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** performance.now() when the process was spawned. */
  spawnedAt: number;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export interface FoyerProcess extends Child {
  url: string;
  port: number;
  /** The first-start admin invite code, when this start printed one. */
  adminInvite: string | undefined;
}

/**
 * Spawns `node [nodeArgs] SCRIPT args` and resolves once its output matches `ready`.
 * @throws Error when the process exits before printing it
 */
async function spawnUntil(
  nodeArgs: string[],
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<{ child: Child; match: RegExpExecArray }> {
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = once(proc, 'exit');
  const match = await new Promise<RegExpExecArray>((resolveMatch, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = ready.exec(out);
      if (m !== null) resolveMatch(m);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}) early:\n${out}`)));
  });
  const child: Child = {
    proc,
    pid: proc.pid!,
    spawnedAt,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
  return { child, match };
}

/** `foyer start` on loopback; `port` 0 lets the system choose. */
export async function startFoyer(opts: {
  cli: string;
  dataDir: string;
  port: number;
  flags: string[];
  nodeArgs?: string[];
}): Promise<FoyerProcess> {
  const { child, match } = await spawnUntil(
    opts.nodeArgs ?? [],
    [
      opts.cli,
      'start',
      '--data',
      opts.dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      String(opts.port),
      ...opts.flags,
    ],
    /Foyer listening on (http:\/\/[^\s]+)/,
  );
  const url = match[1]!;
  // Standard output is not a terminal: the first admin invite is in a file of the data folder.
  const inviteFile = join(opts.dataDir, 'admin-invite.txt');
  const adminInvite = /#([A-Za-z0-9_-]{22})\b/.exec(
    existsSync(inviteFile) ? readFileSync(inviteFile, 'utf8') : child.output(),
  )?.[1];
  return { ...child, url, port: Number(new URL(url).port), adminInvite };
}

/** The bare `ws` relay (bench/bareRelay.ts) in its own process. */
export async function startRelay(entry: string): Promise<Child & { url: string }> {
  const { child, match } = await spawnUntil([], [entry], /relay listening on (ws:\/\/[^\s]+)/);
  return { ...child, url: match[1]! };
}

/**
 * The invite code in `foyer invite create --json`'s output.
 * @throws Error quoting the output when it is not that JSON
 */
export function parseInvite(out: string): string {
  let code: unknown;
  try {
    code = (JSON.parse(out) as { code?: unknown }).code;
  } catch (err) {
    throw new Error(
      `foyer invite create printed no JSON (${String(err)}): ${JSON.stringify(out)}`,
      {
        cause: err,
      },
    );
  }
  if (typeof code !== 'string') throw new Error(`no invite code in ${JSON.stringify(out)}`);
  return code;
}

/**
 * Creates `n` invites with `foyer invite create --json`, a few processes at a time.
 * @throws Error when a command fails
 */
export async function createInvites(
  cli: string,
  dataDir: string,
  n: number,
  parallel = 4,
): Promise<string[]> {
  const codes: string[] = [];
  const one = async (): Promise<void> => {
    const proc = spawn(process.execPath, [cli, 'invite', 'create', '--data', dataDir, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // 'close', not 'exit': 'exit' may come before the last of standard output has been read
    // (under load it did, and the JSON was cut short); 'close' comes once every stream ended.
    const [code] = (await once(proc, 'close')) as [number | null];
    if (code !== 0) throw new Error(`foyer invite create failed (${code}): ${err}${out}`);
    codes.push(parseInvite(out));
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
  return codes;
}

/** One `GET /healthz`; resolves true on a 200, false on any failure (refused, not ready). */
function healthy(port: number): Promise<boolean> {
  return new Promise((resolveOk) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 1000 },
      (res) => {
        res.resume();
        resolveOk(res.statusCode === 200);
      },
    );
    // A refused connection is the expected answer while the server starts.
    req.on('error', () => resolveOk(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Cold start: spawns `foyer start` on an existing data folder and measures the time from
 * spawn to the first successful `GET /healthz`, polling every millisecond or so.
 * @throws Error when the server exits or is not healthy within 30 s
 */
export async function coldStart(opts: {
  nodeArgs: string[];
  cli: string;
  dataDir: string;
  port: number;
  flags: string[];
}): Promise<{ ms: number; child: Child }> {
  const t0 = performance.now();
  const proc = spawn(
    process.execPath,
    [
      ...opts.nodeArgs,
      opts.cli,
      'start',
      '--data',
      opts.dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      String(opts.port),
      ...opts.flags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(proc, 'exit');
  let ms = -1;
  while (ms < 0) {
    if (proc.exitCode !== null) throw new Error(`server exited during cold start:\n${out}`);
    if (performance.now() - t0 > 30_000) throw new Error(`no healthy server after 30 s:\n${out}`);
    if (await healthy(opts.port)) ms = performance.now() - t0;
    else await new Promise((r) => setTimeout(r, 1));
  }
  const child: Child = {
    proc,
    pid: proc.pid!,
    spawnedAt: t0,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
  return { ms, child };
}

/** Resident set size of a process in bytes (VmRSS from /proc/PID/status). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** VmRSS and its parts (anonymous memory, mapped files such as the node binary, shared memory), bytes. */
export function memoryStatus(pid: number): {
  rss: number;
  anon: number;
  file: number;
  shmem: number;
} {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

let clockTicks: number | undefined;

/** CPU time (user + system) a process has used so far, in seconds, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  clockTicks ??=
    Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}
