/** Output of the client commands: human text, or JSON (one object, or JSON lines for streams). */

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

/** The exit codes live in src/cli/errors.ts with the error report; re-exported for commands. */
export { EXIT } from '../errors.ts';
