/**
 * Helpers for the end-to-end scenarios (test/scenarios): a real server process, invites
 * from the admin CLI, clients as CLI child processes or as in-process engines on real file
 * stores, and a scan of folders for plaintext markers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../../src/shared/engine/engine.ts';
import type { EngineEvent } from '../../src/shared/engine/events.ts';
import { FileStorage } from '../../src/cli/client/fileStore.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src/cli/main.ts');
export const PASSPHRASE = 'correct horse battery staple';
/** Cheap Argon2 for in-process engines (the CLI uses the real cost). */
const TEST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/** Environment for child processes: no FOYER_* of the developer's own. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('FOYER_')) delete env[key];
  return { ...env, FOYER_LOG_LEVEL: 'warn', ...extra };
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `foyer-${prefix}-`));
}

export interface ScenarioServer {
  url: string;
  dataDir: string;
  adminInvite: string;
  proc: ChildProcess;
  /** A fresh invite code from `foyer invite create --json`. */
  invite(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `foyer start --data TMP --port 0` and waits for "Foyer listening on URL". */
export async function startServer(dataDir = scratchDir('server')): Promise<ScenarioServer> {
  const proc = spawn(process.execPath, [CLI, 'start', '--data', dataDir, '--port', '0'], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Foyer listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]!);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => fail(new Error(`foyer start exited (${code}):\n${out}`)));
  });
  const adminInvite = /#([A-Za-z0-9_-]{22})/.exec(out)?.[1];
  if (adminInvite === undefined) throw new Error(`no admin invite in:\n${out}`);
  const exited = once(proc, 'exit');
  return {
    url,
    dataDir,
    adminInvite,
    proc,
    async invite() {
      const r = await run([CLI, 'invite', 'create', '--data', dataDir, '--json']);
      if (r.code !== 0) throw new Error(`invite create failed: ${r.stderr}${r.stdout}`);
      return (JSON.parse(r.stdout) as { code: string }).code;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function run(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const proc = spawn(process.execPath, args, {
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

/** Runs `foyer client ARGS --store STORE --json` and parses its JSON output. */
export async function client(store: string, ...args: string[]): Promise<RunResult & { json: any }> {
  const r = await run([CLI, 'client', ...args, '--store', store, '--json'], {
    FOYER_PASSPHRASE: PASSPHRASE,
  });
  let json: unknown = undefined;
  const last = r.stdout.trim().split('\n').at(-1);
  if (last !== undefined && last.length > 0) json = JSON.parse(last);
  return { ...r, json };
}

/** Like `client`, but fails the test when the command does. */
export async function clientOk(store: string, ...args: string[]): Promise<any> {
  const r = await client(store, ...args);
  if (r.code !== 0)
    throw new Error(`foyer client ${args.join(' ')} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return r.json;
}

/** Spawns a long-running `foyer client …` (watch, link) with its stdout lines. */
export function clientProcess(
  store: string,
  ...args: string[]
): {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the exit code (listening from the start: no race with a quick exit). */
  exited: Promise<number | null>;
  next(match: (line: string) => boolean): Promise<string>;
} {
  const proc = spawn(process.execPath, [CLI, 'client', ...args, '--store', store, '--json'], {
    env: childEnv({ FOYER_PASSPHRASE: PASSPHRASE }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  let buf = '';
  const waiters: Array<{ match: (l: string) => boolean; ok: (l: string) => void }> = [];
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.ok(line);
        }
      }
    }
  });
  return {
    proc,
    lines,
    exited,
    next(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((ok, fail) => {
        waiters.push({ match, ok });
        proc.once('exit', (code) =>
          fail(new Error(`process exited (${code}) before the expected line`)),
        );
      });
    },
  };
}

export interface EngineClient {
  name: string;
  dir: string;
  engine: Engine;
  events: EngineEvent[];
}

function watchEvents(engine: Engine): EngineEvent[] {
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return events;
}

/** Registers a user in-process with a real file store, over HTTP to the real server. */
export async function registerEngine(
  server: ScenarioServer,
  name: string,
  invite?: string,
): Promise<EngineClient> {
  const dir = scratchDir(`client-${name}`);
  const engine = await Engine.register(
    FileStorage.open(dir),
    PASSPHRASE,
    { server: server.url, invite: invite ?? (await server.invite()), name },
    { kdf: TEST_KDF },
  );
  return { name, dir, engine, events: watchEvents(engine) };
}

/** Links a second device of `existing`'s user in-process; resolves once approved. */
export async function linkEngine(
  server: ScenarioServer,
  existing: EngineClient,
): Promise<EngineClient> {
  const dir = scratchDir(`client-${existing.name}-2`);
  let approval: Promise<unknown> | undefined;
  const engine = await Engine.link(
    FileStorage.open(dir),
    PASSPHRASE,
    server.url,
    (code) => {
      approval = existing.engine.approveLink(code, 0);
    },
    { kdf: TEST_KDF },
  );
  await approval;
  return { name: existing.name, dir, engine, events: watchEvents(engine) };
}

/** Reopens a client's store in-process (as after a restart). */
export async function reopenEngine(c: EngineClient): Promise<EngineClient> {
  await c.engine.close();
  const engine = await Engine.open(FileStorage.open(c.dir), PASSPHRASE);
  return { ...c, engine, events: watchEvents(engine) };
}

/** Every way `marker` could appear in a file: UTF-8 and base64/base64url at each alignment. */
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

/** Files under `dir` (recursively) holding any marker in clear; empty when none does. */
export function findMarkers(dirs: string[], markers: string[]): string[] {
  const hits: string[] = [];
  const all = markers.flatMap((m) => needles(m).map((n) => ({ m, n })));
  const walk = (p: string) => {
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

/** A random plaintext marker for message text. */
export function marker(tag = ''): string {
  return `MARKER-${tag}${Math.random().toString(36).slice(2, 10)}`;
}

/** A random marker that is also a valid user name (lowercase, at most 32 characters). */
export function nameMarker(tag: string): string {
  return `${tag}-mk${Math.random().toString(36).slice(2, 12)}`;
}

export function removeDirs(dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
