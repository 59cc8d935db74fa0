/** Output of the client commands: human text, or JSON (one object, or JSON lines for streams). */
import { FoyerError } from '../../shared/protocol/errors.ts';

export interface ClientIo {
  env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  err(text: string): void;
  /** True when stdin is a terminal (a passphrase can be asked for). */
  interactive: boolean;
}

export function processIo(): ClientIo {
  return {
    env: process.env,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    interactive: process.stdin.isTTY === true,
  };
}

/** Exit codes: 0 done, 1 failed, 2 called wrongly. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Reports a failure and returns the exit code. */
export function reportError(io: ClientIo, err: unknown, json: boolean): number {
  const known = err instanceof FoyerError;
  const code = known ? err.code : 'internal';
  const message = known
    ? err.message
    : `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  if (json) io.out(JSON.stringify({ error: { code, message } }));
  else io.err(`foyer client: ${message}`);
  return code === 'usage' || code === 'invalid_name' ? EXIT.usage : EXIT.failed;
}
