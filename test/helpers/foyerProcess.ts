/**
 * `foyer start ARGS` as a child process, waited for until it prints the line saying where it
 * listens (any scheme), for tests that need flags the standard helper does not pass.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CLI, childEnv } from './server.ts';

export interface FoyerProcess {
  proc: ChildProcess;
  /** Everything printed so far, both streams. */
  output: () => string;
  /** The URL from "Foyer listening on URL". */
  url: string;
  stop(): Promise<void>;
}

export async function startFoyer(
  args: string[],
  env: Record<string, string> = {},
): Promise<FoyerProcess> {
  const proc = spawn(process.execPath, [CLI, 'start', ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const on = (d: Buffer): void => {
      out += d.toString();
      const m = /Foyer listening on (\S+)/.exec(out);
      if (m !== null) resolve(m[1]!);
    };
    proc.stdout.on('data', on);
    proc.stderr.on('data', on);
    proc.once('exit', (code) => reject(new Error(`foyer exited (${code}):\n${out}`)));
  });
  return {
    proc,
    output: () => out,
    url,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
    },
  };
}
