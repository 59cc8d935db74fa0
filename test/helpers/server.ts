/**
 * Starts the real Foyer server as a child process on loopback with a temporary data folder,
 * the way a person runs it (`foyer start`), and stops it (gracefully or with SIGKILL).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'src/cli/main.ts');

export interface ServerProcess {
  url: string;
  dataDir: string;
  adminInvite: string;
  proc: ChildProcess;
  output: () => string;
  /** A fresh invite code from `foyer invite create --json`, while the server runs. */
  invite(): Promise<string>;
  /** Live device sessions on the server, from `foyer status --json` (the admin view). */
  sessions(): Promise<number>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for child processes: none of the developer's own FOYER_* settings leak in. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('FOYER_')) delete env[key];
  return { ...env, FOYER_LOG_LEVEL: 'warn', ...extra };
}

/** Runs `foyer ARGS` (from source) to completion. */
export async function runFoyer(
  args: string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stdout, stderr };
}

export function tempDir(prefix = 'foyer-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `foyer start` and resolves once it prints its URL. */
export async function startServerProcess(
  opts: {
    dataDir?: string;
    args?: string[];
    env?: Record<string, string>;
    /** 0 (the default): a free port; a given one to restart a server where it was. */
    port?: number;
  } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? tempDir();
  const port = String(opts.port ?? 0);
  const proc = spawn(
    process.execPath,
    [CLI, 'start', '--data', dataDir, '--host', '127.0.0.1', '--port', port, ...(opts.args ?? [])],
    {
      env: childEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const onData = (d: Buffer): void => {
    out += d.toString();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const check = (): void => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    };
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', check);
    proc.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before listening:\n${out}`)),
    );
  });
  // Not a terminal: the first admin invite is in a file of the data folder, not the output.
  const inviteFile = join(dataDir, 'admin-invite.txt');
  const invite =
    /#([A-Za-z0-9_-]{22})\b/.exec(
      statSync(inviteFile, { throwIfNoEntry: false }) ? readFileSync(inviteFile, 'utf8') : out,
    )?.[1] ?? '';
  const exited = once(proc, 'exit');
  return {
    url,
    dataDir,
    adminInvite: invite,
    proc,
    output: () => out,
    async invite() {
      const r = await runFoyer(['invite', 'create', '--data', dataDir, '--json']);
      if (r.code !== 0) throw new Error(`invite create failed: ${r.stderr}${r.stdout}`);
      return (JSON.parse(r.stdout) as { code: string }).code;
    },
    async sessions() {
      const r = await runFoyer(['status', '--data', dataDir, '--json']);
      if (r.code !== 0) throw new Error(`status failed: ${r.stderr}${r.stdout}`);
      return (JSON.parse(r.stdout) as { sessions: number }).sessions;
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
    async kill9() {
      if (proc.exitCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** `foyer invite create --json` against a data folder (works while the server runs). */
export function createInvite(dataDir: string, extra: string[] = []): string {
  const r = spawnSync(
    process.execPath,
    [CLI, 'invite', 'create', '--data', dataDir, '--json', ...extra],
    {
      encoding: 'utf8',
      env: childEnv(),
    },
  );
  if (r.status !== 0) throw new Error(`invite create failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { code: string }).code;
}

/** Every way `marker` could appear in a file: UTF-8, and base64/base64url at each alignment. */
function needles(marker: string): Buffer[] {
  const raw = Buffer.from(marker, 'utf8');
  const out = [raw];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), raw]);
    for (const enc of ['base64', 'base64url'] as const) {
      const text = padded.toString(enc);
      // Drop the characters that mix in the padding bytes or the following bytes.
      const start = Math.ceil((shift * 4) / 3);
      const end = Math.floor((padded.length * 4) / 3) - 1;
      if (end - start >= 8) out.push(Buffer.from(text.slice(start, end), 'latin1'));
    }
  }
  return out;
}

/** Files below `dirs` (recursively) holding any marker in clear; empty when none does. */
export function findMarkers(dirs: string[], markers: string[]): string[] {
  const hits: string[] = [];
  const all = markers.flatMap((m) => needles(m).map((n) => ({ m, n })));
  const walk = (p: string): void => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) walk(join(p, e));
      return;
    }
    const data = readFileSync(p);
    for (const { m, n } of all) if (data.includes(n)) hits.push(`${p}: ${m}`);
  };
  for (const d of dirs) walk(d);
  return hits;
}

/** Files under `dir` whose bytes contain any of `markers`. */
export function filesContaining(dir: string, markers: string[]): string[] {
  return findMarkers([dir], markers);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
