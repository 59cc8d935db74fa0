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
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export function tempDir(prefix = 'foyer-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `foyer start` and resolves once it prints its URL. */
export async function startServerProcess(
  opts: { dataDir?: string; args?: string[]; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? tempDir();
  const proc = spawn(
    process.execPath,
    [CLI, 'start', '--data', dataDir, '--host', '127.0.0.1', '--port', '0', ...(opts.args ?? [])],
    {
      env: { ...process.env, FOYER_LOG_LEVEL: 'warn', ...opts.env },
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
  const invite = /#([A-Za-z0-9_-]{22})\b/.exec(out)?.[1] ?? '';
  const exited = once(proc, 'exit');
  return {
    url,
    dataDir,
    adminInvite: invite,
    proc,
    output: () => out,
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
      env: { ...process.env, FOYER_LOG_LEVEL: 'warn' },
    },
  );
  if (r.status !== 0) throw new Error(`invite create failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { code: string }).code;
}

/** Every file below `dir`, recursively. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** Files under `dir` whose bytes contain any of `markers` (as UTF-8). */
export function filesContaining(dir: string, markers: string[]): string[] {
  const hits: string[] = [];
  for (const f of listFiles(dir)) {
    const bytes = readFileSync(f);
    for (const m of markers) if (bytes.includes(Buffer.from(m, 'utf8'))) hits.push(`${f}: ${m}`);
  }
  return hits;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
