/** Parsing `foyer client` command lines into typed options, once, at the boundary. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { ClientIo } from './io.ts';

export interface Parsed {
  /** The command words (e.g. `group`, `create`), then the positional arguments. */
  positionals: string[];
  json: boolean;
  store: string;
  flags: Record<string, string | boolean | undefined>;
}

const STRING_FLAGS = new Set([
  'store',
  'server',
  'invite',
  'name',
  'title',
  'members',
  'conversation',
  'text',
  'message',
  'limit',
  'qr',
  'wait',
  'person',
  'device',
  'description',
  'picture',
  'add',
  'edit',
]);
const BOOLEAN_FLAGS = new Set(['json', 'read', 'verify', 'unverify', 'help', 'offline']);

/**
 * Own parser rather than node:util parseArgs: ids and codes are base64url and may start
 * with "-", which parseArgs takes for an option. Here only `--name` is an option; a flag
 * that takes a value always takes the next argument (or `--name=value`).
 * @throws FoyerError usage on an unknown flag or a missing value
 */
export function parseClientArgs(argv: string[], io: ClientIo): Parsed {
  const flags: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg.length === 2) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq >= 0) throw new FoyerError('usage', `--${name} takes no value`);
      flags[name] = true;
    } else if (STRING_FLAGS.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new FoyerError('usage', `--${name} needs a value`);
      flags[name] = value;
    } else {
      throw new FoyerError('usage', `unknown option --${name}`);
    }
  }
  const store =
    optional({ flags } as Parsed, 'store') ??
    io.env.FOYER_CLIENT_STORE ??
    join(homedir(), '.foyer-client');
  return { positionals, json: flags.json === true, store: resolve(store), flags };
}

/** A required string flag. @throws FoyerError usage */
export function required(p: Parsed, flag: string): string {
  const v = p.flags[flag];
  if (typeof v !== 'string' || v.length === 0)
    throw new FoyerError('usage', `--${flag} is required`);
  return v;
}

export function optional(p: Parsed, flag: string): string | undefined {
  const v = p.flags[flag];
  return typeof v === 'string' ? v : undefined;
}

/** A comma-separated list of names. */
export function list(p: Parsed, flag: string): string[] {
  return required(p, flag)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A positive integer flag. @throws FoyerError usage */
export function integer(p: Parsed, flag: string): number | undefined {
  const v = optional(p, flag);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new FoyerError('usage', `--${flag} must be a positive integer`);
  return n;
}
