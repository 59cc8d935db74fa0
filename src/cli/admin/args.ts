/**
 * Command-line parsing for the admin commands: each command's own flags plus the server's
 * configuration flags (src/server/config.ts), which are handed to loadConfig untouched.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { CONFIG_OPTIONS, rejectPassphraseFlag } from '../../server/config.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';

/** A mistake in how a command was called: printed with the command's usage, exit code 2. */
export class UsageError extends FoyerError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** The parts of a node:util parseArgs token used here. */
interface Token {
  kind: string;
  name?: string;
  value?: string | undefined;
}

export interface ParsedCommand {
  /** The command's own flags. */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Configuration flags, for loadConfig. */
  configArgv: string[];
}

/**
 * Splits `argv` into the command's flags and the configuration flags.
 * @throws UsageError on an unknown flag, a missing value, or unexpected arguments;
 *   ConfigError on `--passphrase`.
 */
export function parseCommand(
  argv: readonly string[],
  own: ParseArgsOptionsConfig,
  opts: { positionals?: number } = {},
): ParsedCommand {
  rejectPassphraseFlag(argv);
  let parsed: { positionals: string[]; tokens: Token[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...CONFIG_OPTIONS, ...own, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  const max = opts.positionals ?? 0;
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`);
  }
  const values: Record<string, string | boolean | undefined> = {};
  const configArgv: string[] = [];
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (token.name in own || token.name === 'help') {
      values[token.name] = token.value ?? true;
    } else if (token.value === undefined) {
      configArgv.push(`--${token.name}`);
    } else {
      configArgv.push(`--${token.name}=${token.value}`);
    }
  }
  return { values, positionals: parsed.positionals, configArgv };
}
