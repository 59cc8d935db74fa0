/**
 * `foyer invite list|revoke`, `foyer device list|revoke`, `foyer storage`: the admin commands
 * that work beside a running server (one short transaction each; the server notices).
 */
import { statSync, statfsSync } from 'node:fs';
import {
  listDevices,
  listInvites,
  queuedUse,
  revokeDevice,
  revokeInvite,
} from '../../server/accounts/adminViews.ts';
import { dataLayout } from '../../server/storage/layout.ts';
import { listScheduled } from '../../server/backup/rotation.ts';
import { parseCommand, UsageError } from './args.ts';
import type { Io } from './io.ts';
import { EXIT } from '../errors.ts';
import { configFor, openExisting } from './open.ts';
import { USAGE } from './help.ts';

const day = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `foyer invite list` and `foyer invite revoke ID` (create lives in invite.ts). */
export async function inviteManage(
  io: Io,
  sub: 'list' | 'revoke',
  rest: readonly string[],
): Promise<number> {
  const { values, positionals, configArgv } = parseCommand(
    rest,
    { json: { type: 'boolean' } },
    { positionals: 1 },
  );
  if (values.help === true) {
    io.out(USAGE.invite ?? '');
    return EXIT.ok;
  }
  const db = await openExisting(configFor(io, configArgv), (t) => io.err(t));
  try {
    if (sub === 'list') {
      const invites = listInvites(db);
      if (values.json === true) io.out(JSON.stringify({ invites }));
      else if (invites.length === 0) io.out('No invites.');
      else
        io.out(
          table([
            ['ID', 'ADMIN', 'CREATED', 'EXPIRES', 'STATE'],
            ...invites.map((i) => [
              i.id,
              i.admin ? 'yes' : 'no',
              day(i.createdAt),
              day(i.expiresAt),
              i.state,
            ]),
          ]),
        );
      return EXIT.ok;
    }
    const id = positionals[0];
    if (id === undefined)
      throw new UsageError('which invite? foyer invite revoke ID (see foyer invite list)');
    const revoked = revokeInvite(db, id);
    io.out(
      values.json === true
        ? JSON.stringify(revoked)
        : `Invite ${revoked.id} revoked: its link no longer works.`,
    );
    return EXIT.ok;
  } finally {
    db.close();
  }
}

export async function deviceCommand(io: Io, argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.err(USAGE.device ?? '');
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'list' && sub !== 'revoke')
    throw new UsageError(`unknown device command "${sub}" (known: list, revoke)`);
  const { values, positionals, configArgv } = parseCommand(
    rest,
    { json: { type: 'boolean' } },
    { positionals: 1 },
  );
  const db = await openExisting(configFor(io, configArgv), (t) => io.err(t));
  try {
    if (sub === 'list') {
      const devices = listDevices(db, positionals[0]);
      if (values.json === true) io.out(JSON.stringify({ devices }));
      else if (devices.length === 0) io.out('No devices.');
      else
        io.out(
          table([
            ['USER', 'DEVICE', 'ADDED', 'LAST SEEN', 'STATE'],
            ...devices.map((d) => [
              d.user,
              d.id,
              day(d.createdAt),
              day(d.lastSeenAt),
              d.revokedAt === null ? 'active' : 'revoked',
            ]),
          ]),
        );
      return EXIT.ok;
    }
    const id = positionals[0];
    if (id === undefined)
      throw new UsageError('which device? foyer device revoke ID (see foyer device list)');
    const r = revokeDevice(db, id);
    io.out(
      values.json === true
        ? JSON.stringify(r)
        : `Device ${r.id} revoked (${r.queuedMessages} queued messages deleted): it is signed out for good.`,
    );
    return EXIT.ok;
  } finally {
    db.close();
  }
}

function size(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

export async function storageCommand(io: Io, argv: readonly string[]): Promise<number> {
  const { values, configArgv } = parseCommand(argv, { json: { type: 'boolean' } });
  if (values.help === true) {
    io.out(USAGE.storage ?? '');
    return EXIT.ok;
  }
  const config = configFor(io, configArgv);
  const layout = dataLayout(config.dataDir);
  const db = await openExisting(config, (t) => io.err(t));
  let queued;
  try {
    queued = queuedUse(db);
  } finally {
    db.close();
  }
  const fs = statfsSync(layout.dir);
  const backups =
    config.backupDir === undefined
      ? undefined
      : listScheduled(config.backupDir).reduce((n, f) => n + size(`${config.backupDir}/${f}`), 0);
  const use = {
    databaseBytes: size(layout.db),
    walBytes: size(`${layout.db}-wal`),
    ...queued,
    backupBytes: backups ?? null,
    freeBytes: fs.bavail * fs.bsize,
  };
  if (values.json === true) {
    io.out(JSON.stringify(use));
    return EXIT.ok;
  }
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  io.out(`Database         ${mib(use.databaseBytes)} (+ ${mib(use.walBytes)} write-ahead log)`);
  io.out(
    `Waiting messages ${use.queuedMessages} deliveries, ${mib(use.queuedBytes)} of ciphertext`,
  );
  io.out(`Backups          ${backups === undefined ? 'no daily backup configured' : mib(backups)}`);
  io.out(`Free disk        ${mib(use.freeBytes)}`);
  return EXIT.ok;
}
