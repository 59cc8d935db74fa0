/**
 * `foyer user list`, `foyer user remove NAME`, `foyer user disable|enable NAME`: the
 * household's accounts, managed beside a running server (which notices a removal or a
 * disabled user within a moment, see src/server/accounts/revocations.ts).
 */
import {
  disableUser,
  enableUser,
  findUser,
  listUsers,
  removeUser,
  type UserSummary,
} from '../../server/accounts/userAdmin.ts';
import { parseCommand, UsageError } from './args.ts';
import { EXIT } from '../errors.ts';
import type { Io } from './io.ts';
import { configFor, openExisting } from './open.ts';
import { USAGE } from './help.ts';

export async function userCommand(io: Io, argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.err(USAGE.user ?? '');
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub === 'list') return listCommand(io, rest);
  if (sub === 'remove') return removeCommand(io, rest);
  if (sub === 'disable' || sub === 'enable') return toggleCommand(io, sub, rest);
  throw new UsageError(`unknown user command "${sub}" (known: list, remove, disable, enable)`);
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The users as an aligned table. */
export function userTable(users: readonly UserSummary[]): string {
  const rows = [
    ['NAME', 'ADMIN', 'DEVICES', 'CREATED'],
    ...users.map((u) => [
      u.disabled === true ? `${u.name} (disabled)` : u.name,
      u.admin ? 'yes' : 'no',
      String(u.devices),
      day(u.createdAt),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function listCommand(io: Io, argv: readonly string[]): Promise<number> {
  const { values, configArgv } = parseCommand(argv, { json: { type: 'boolean' } });
  if (values.help === true) {
    io.out(USAGE.user ?? '');
    return EXIT.ok;
  }
  const db = await openExisting(configFor(io, configArgv));
  let users: UserSummary[];
  try {
    users = listUsers(db);
  } finally {
    db.close();
  }
  if (values.json === true) io.out(JSON.stringify({ users }));
  else if (users.length === 0) io.out('No users yet: "foyer invite create" makes an invite.');
  else io.out(userTable(users));
  return EXIT.ok;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function removeCommand(io: Io, argv: readonly string[]): Promise<number> {
  const { values, positionals, configArgv } = parseCommand(
    argv,
    { json: { type: 'boolean' }, yes: { type: 'boolean' } },
    { positionals: 1 },
  );
  if (values.help === true) {
    io.out(USAGE.user ?? '');
    return EXIT.ok;
  }
  const name = positionals[0];
  if (name === undefined) throw new UsageError('user remove needs the NAME of the user');
  const db = await openExisting(configFor(io, configArgv));
  try {
    // Checked first: a wrong name is reported before anyone is asked anything.
    const user = findUser(db, name);
    if (values.yes !== true) {
      if (!io.interactive) {
        throw new UsageError(
          `not removing "${name}" without confirmation: standard input is not a terminal; ` +
            'run again with --yes to confirm',
        );
      }
      const what = `${plural(user.devices, 'device')}${user.admin ? ', admin' : ''}`;
      const ok = await io.confirm(
        `Remove user "${name}" (${what})? Every device is signed out for good, its queued ` +
          `messages are deleted, and the name becomes free to register again. [y/N] `,
      );
      if (!ok) throw new UsageError(`cancelled: "${name}" was not removed`);
    }
    const removed = removeUser(db, name);
    if (values.json === true) {
      io.out(JSON.stringify(removed));
    } else {
      io.out(
        `Removed "${name}": ${plural(removed.devices, 'device')} revoked, ` +
          `${plural(removed.queuedMessages, 'queued message')} deleted.`,
      );
      io.out(`The name is free again: "foyer invite create" makes an invite to register it.`);
    }
    return EXIT.ok;
  } finally {
    db.close();
  }
}

/** `foyer user disable NAME` / `foyer user enable NAME`. */
async function toggleCommand(
  io: Io,
  sub: 'disable' | 'enable',
  argv: readonly string[],
): Promise<number> {
  const { values, positionals, configArgv } = parseCommand(
    argv,
    { json: { type: 'boolean' } },
    { positionals: 1 },
  );
  if (values.help === true) {
    io.out(USAGE.user ?? '');
    return EXIT.ok;
  }
  const name = positionals[0];
  if (name === undefined) throw new UsageError(`user ${sub} needs the NAME of the user`);
  const db = await openExisting(configFor(io, configArgv));
  try {
    if (sub === 'disable') {
      const r = disableUser(db, name);
      if (values.json === true) io.out(JSON.stringify({ name, disabled: true, ...r }));
      else
        io.out(
          r.changed
            ? `Disabled "${name}": ${plural(r.devices, 'device')} signed out and cannot log in. ` +
                `Their messages and groups are kept; "foyer user enable ${name}" lets them back in.`
            : `"${name}" was already disabled.`,
        );
    } else {
      const r = enableUser(db, name);
      if (values.json === true) io.out(JSON.stringify({ name, disabled: false, ...r }));
      else
        io.out(
          r.changed
            ? `Enabled "${name}": their devices can log in again.`
            : `"${name}" was not disabled.`,
        );
    }
    return EXIT.ok;
  } finally {
    db.close();
  }
}
