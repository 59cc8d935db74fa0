/** `foyer status`: what the instance holds, as counts only (no names, no identifiers). */
import { statSync } from 'node:fs';
import type { Db } from '../../server/storage/sqlite.ts';
import { dataLayout } from '../../server/storage/layout.ts';
import { keyMode } from '../../server/storage/dataKey.ts';
import { schemaVersion } from '../../server/storage/migrate.ts';
import { takeCensus } from '../../server/census.ts';
import { parseCommand } from './args.ts';
import { EXIT } from '../errors.ts';
import type { Io } from './io.ts';
import { configFor, openExisting } from './open.ts';
import { USAGE } from './help.ts';
import { readRunState, type RunState } from '../../server/home/runState.ts';

export interface Status {
  /** Whether a server holds the data folder's lock, and what it recorded. */
  server: RunState;
  dataDir: string;
  keyMode: string;
  schemaVersion: number;
  databaseBytes: number;
  /** `total` and `admins` leave out removed users, counted in `removed`. */
  users: { total: number; admins: number; max: number; removed: number };
  devices: { active: number; revoked: number };
  sessions: number;
  invites: { pending: number };
  keyPackages: number;
  groups: number;
  mailboxes: { queued: number; devicesWithQueue: number; deepest: number };
  links: number;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** Reads the counts shown by `foyer status`. */
export function readStatus(db: Db, dataDir: string, maxUsers: number, now = Date.now()): Status {
  const layout = dataLayout(dataDir);
  const c = takeCensus(db, now);
  return {
    server: readRunState(layout),
    dataDir: layout.dir,
    keyMode: keyMode(layout),
    schemaVersion: schemaVersion(db),
    databaseBytes: fileSize(layout.db) + fileSize(`${layout.db}-wal`),
    users: { ...c.users, max: maxUsers },
    devices: c.devices,
    sessions: c.sessions,
    invites: { pending: c.invites.pending },
    keyPackages: c.keyPackages,
    groups: c.groups,
    mailboxes: c.mailboxes,
    links: c.links,
  };
}

function serverLine(state: RunState): string {
  if (!state.running) {
    const last =
      state.lastStartedAt === undefined
        ? ''
        : ` (last started ${new Date(state.lastStartedAt).toISOString()}, did not stop cleanly)`;
    return `not running${last}`;
  }
  const at = state.url === undefined ? '' : ` on ${state.url}`;
  const since =
    state.startedAt === undefined ? '' : ` since ${new Date(state.startedAt).toISOString()}`;
  const about = [
    state.pid === undefined ? undefined : `process ${state.pid}`,
    state.version === undefined ? undefined : `version ${state.version}`,
  ].filter((x) => x !== undefined);
  return `running${at}${since}${about.length > 0 ? ` (${about.join(', ')})` : ''}`;
}

export async function statusCommand(io: Io, argv: readonly string[]): Promise<number> {
  const { values, configArgv } = parseCommand(argv, { json: { type: 'boolean' } });
  if (values.help === true) {
    io.out(USAGE.status ?? '');
    return EXIT.ok;
  }
  const config = configFor(io, configArgv);
  const db = await openExisting(config);
  let s: Status;
  try {
    s = readStatus(db, config.dataDir, config.maxUsers);
  } finally {
    db.close();
  }
  if (values.json === true) {
    io.out(JSON.stringify(s));
    return EXIT.ok;
  }
  io.out(`Server           ${serverLine(s.server)}`);
  io.out(
    `Data folder      ${s.dataDir} (key: ${s.keyMode}, schema v${s.schemaVersion}, ${s.databaseBytes} bytes)`,
  );
  const removed = s.users.removed > 0 ? `, ${s.users.removed} removed` : '';
  io.out(`Users            ${s.users.total} of ${s.users.max} (${s.users.admins} admin${removed})`);
  io.out(`Devices          ${s.devices.active} active, ${s.devices.revoked} revoked`);
  io.out(`Sessions         ${s.sessions}`);
  io.out(`Pending invites  ${s.invites.pending}`);
  io.out(`Key packages     ${s.keyPackages}`);
  io.out(`Groups           ${s.groups}`);
  io.out(
    `Queued messages  ${s.mailboxes.queued} for ${s.mailboxes.devicesWithQueue} devices (deepest ${s.mailboxes.deepest})`,
  );
  io.out(`Pending links    ${s.links}`);
  return EXIT.ok;
}
