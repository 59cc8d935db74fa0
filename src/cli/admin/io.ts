/** Output of the admin commands: human text, or JSON with --json (one object per run). */
import { askOnTerminal } from './confirm.ts';

export interface Io {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** True when a person can answer questions on standard input (a terminal). */
  interactive: boolean;
  /**
   * True when standard output is a terminal a person reads. Secrets (the first admin
   * invite) are shown only then: otherwise the output usually ends up in a service log.
   */
  outputIsTerminal?: boolean;
  /** Asks a yes/no question; resolves true only for an explicit yes. */
  confirm(question: string): Promise<boolean>;
}

/** The process's own streams and environment. */
export function processIo(): Io {
  return {
    env: process.env,
    cwd: process.cwd(),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    interactive: process.stdin.isTTY === true,
    outputIsTerminal: process.stdout.isTTY === true,
    confirm: askOnTerminal,
  };
}

/** The exit codes live in src/cli/errors.ts with the error report; re-exported for commands. */
export { EXIT } from '../errors.ts';
