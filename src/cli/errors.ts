/**
 * How every `foyer` command ends, server and client alike: the exit codes, and one way of
 * reporting a failure — `foyer: message` on stderr (then its underlying cause, when it has
 * one), or `{"error":{"code","message"}}` on stdout when the command was asked for JSON.
 */
import { FoyerError, type ErrorCode } from '../shared/protocol/errors.ts';

/** Exit codes: 0 done, 1 failed, 2 called wrongly (usage, a malformed name or setting). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Codes that mean the command line itself was wrong. */
const CALLED_WRONGLY: ReadonlySet<ErrorCode> = new Set(['usage', 'invalid_name']);

export interface ErrorOutput {
  out(text: string): void;
  err(text: string): void;
}

export interface ReportOptions {
  json: boolean;
  /** What each stderr line starts with (`foyer`, `foyer client`). */
  prefix: string;
}

/** The chain of causes under an error, outermost first, as short texts. */
function causes(err: unknown): string[] {
  const out: string[] = [];
  let c = err instanceof Error ? err.cause : undefined;
  while (c !== undefined && out.length < 4) {
    out.push(c instanceof Error ? `${c.name}: ${c.message}` : JSON.stringify(c));
    c = c instanceof Error ? c.cause : undefined;
  }
  return out;
}

/**
 * Reports a failure and returns the exit code. An unexpected error (a bug) is reported as
 * `internal` with its stack, so that it can be told apart from an expected failure.
 */
export function reportError(io: ErrorOutput, err: unknown, opts: ReportOptions): number {
  const known = err instanceof FoyerError;
  const code: ErrorCode = known ? err.code : 'internal';
  const message = known
    ? err.message
    : `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  if (opts.json) {
    const cause = causes(err);
    // The details are the API's machine-readable context (e.g. the policy rule that refused).
    const details = err instanceof FoyerError ? err.details : undefined;
    io.out(
      JSON.stringify({
        error: {
          code,
          message,
          ...(details === undefined ? {} : { details }),
          ...(cause.length > 0 ? { cause } : {}),
        },
      }),
    );
  } else {
    // A cause whose text the message already quotes (a network error names its reason) adds
    // nothing for a person; --json keeps the whole chain.
    const shown = causes(err).filter((c) => !message.includes(c.slice(c.indexOf(': ') + 2)));
    const lines = [message, ...shown.map((c) => `  caused by ${c}`)].join('\n');
    io.err(`${opts.prefix}: ${lines.replaceAll('\n', `\n${opts.prefix}: `)}`);
  }
  return CALLED_WRONGLY.has(code) ? EXIT.usage : EXIT.failed;
}
