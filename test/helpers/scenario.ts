/**
 * Helpers for the end-to-end scenarios (test/scenarios): a real server process, invites
 * from the admin CLI, clients as CLI child processes or as in-process engines on real file
 * stores, and a scan of folders for plaintext markers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLI,
  childEnv,
  findMarkers,
  runFoyer,
  startServerProcess,
  type RunResult,
  type ServerProcess,
} from './server.ts';
import { Engine } from '../../src/shared/engine/index.ts';
import type { EngineEvent } from '../../src/shared/engine/index.ts';
import { FileStorage } from '../../src/cli/client/fileStore.ts';

export { findMarkers, type RunResult };
export { ROOT } from './server.ts';
export const PASSPHRASE = 'correct horse battery staple';
/** Cheap Argon2 for in-process engines (the CLI uses the real cost). */
const TEST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `foyer-${prefix}-`));
}

export type ScenarioServer = ServerProcess;

/** Starts `foyer start --data TMP --port 0` and waits for "Foyer listening on URL". */
export function startServer(dataDir = scratchDir('server')): Promise<ScenarioServer> {
  return startServerProcess({ dataDir });
}

/** Runs `foyer client ARGS --store STORE --json` and parses its JSON output. */
export async function client(store: string, ...args: string[]): Promise<RunResult & { json: any }> {
  const r = await runFoyer(['client', ...args, '--store', store, '--json'], {
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

/** `foyer client register` of `name` into `store`, with `invite` or a fresh invite. */
export async function registerCli(
  server: ScenarioServer,
  store: string,
  name: string,
  invite?: string,
): Promise<void> {
  const code = invite ?? (await server.invite());
  await clientOk(store, 'register', '--server', server.url, '--invite', code, '--name', name);
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

/** The domain of the test servers (the default `domain` setting). */
export const DOMAIN = 'localhost';

/** A user's address on the test server: people are addresses in the engine's views. */
export function at(name: string): string {
  return `${name}@${DOMAIN}`;
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

/**
 * A test's teardown: closes every engine client, stops every server, then removes their
 * folders and `extra` ones. Read the arrays when the test ends (`t.after(() => tearDown(…))`).
 */
export async function tearDown(
  servers: readonly ScenarioServer[],
  clients: readonly EngineClient[],
  extra: readonly string[] = [],
): Promise<void> {
  for (const c of clients) await c.engine.close().catch(() => undefined);
  for (const s of servers) await s.stop();
  removeDirs([...extra, ...servers.map((s) => s.dataDir), ...clients.map((c) => c.dir)]);
}
