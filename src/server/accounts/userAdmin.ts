/**
 * Accounts as the household admin sees them (`foyer user list`, `foyer user remove`). These
 * run in the admin command's own process, beside a server that may be running on the same
 * database; the server notices removals through `Revocations.refresh`.
 *
 * A removed user's row stays, marked with `removed_at` (its devices, revoked, still point at
 * it, and the hub still needs to know those devices are revoked until their leaves leave
 * every group); a name is unique among users not removed, so it is free for a new
 * registration.
 */
import { statementCache, type Db } from '../storage/sqlite.ts';
import { deleteItems } from '../mailbox/mailbox.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { isUserName } from '../../shared/protocol/names.ts';
import { revokeDeviceRows } from './revocations.ts';

/** SQL condition on `users` that leaves out removed users (for counts and lists). */
export const LIVE_USER_SQL = 'removed_at IS NULL';

export interface UserSummary {
  name: string;
  admin: boolean;
  /** Devices not revoked. */
  devices: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

interface SummaryRow {
  name: string;
  admin: number;
  created_at: number;
  devices: number;
}

const SUMMARY_SQL = `SELECT u.name, u.admin, u.created_at, count(d.id) AS devices
  FROM users u LEFT JOIN devices d ON d.user_id = u.id AND d.revoked_at IS NULL`;

function summary(r: SummaryRow): UserSummary {
  return { name: r.name, admin: r.admin === 1, devices: r.devices, createdAt: r.created_at };
}

function checkName(name: string): void {
  if (!isUserName(name)) {
    throw new FoyerError(
      'invalid_name',
      `not a user name: "${name}" (1-32 of a-z, 0-9, ".", "_", "-")`,
    );
  }
}

/** Every user that is not removed, by name: counts only, no keys. */
export function listUsers(db: Db): UserSummary[] {
  const rows = db
    .prepare(`${SUMMARY_SQL} WHERE u.${LIVE_USER_SQL} GROUP BY u.id ORDER BY u.name`)
    .all() as SummaryRow[];
  return rows.map(summary);
}

/** One user that is not removed. @throws FoyerError invalid_name, not_found */
export function findUser(db: Db, name: string): UserSummary {
  checkName(name);
  const row = db
    .prepare(`${SUMMARY_SQL} WHERE u.name = ? AND u.removed_at IS NULL GROUP BY u.id`)
    .get(name) as SummaryRow | undefined;
  if (row === undefined) throw new FoyerError('not_found', `there is no user "${name}"`);
  return summary(row);
}

export interface RemovedUser {
  name: string;
  /** Devices revoked by this removal. */
  devices: number;
  /** Undelivered mailbox items deleted with them. */
  queuedMessages: number;
}

/**
 * Removes a user: revokes every device (sessions, challenges, key packages and mailbox
 * deleted, as for a single revocation) and marks the row removed, freeing the name.
 * One immediate transaction, so a running server sees all of it or none of it.
 * @throws FoyerError invalid_name, not_found
 */
export function removeUser(db: Db, name: string, now = Date.now()): RemovedUser {
  checkName(name);
  const q = statementCache(db);
  return db
    .transaction(() => {
      const user = q('SELECT id FROM users WHERE name = ? AND removed_at IS NULL').get(name) as
        { id: number } | undefined;
      if (user === undefined) throw new FoyerError('not_found', `there is no user "${name}"`);
      const deviceIds = (
        q('SELECT id FROM devices WHERE user_id = ?').all(user.id) as Array<{ id: string }>
      ).map((r) => r.id);
      let devices = 0;
      let queuedMessages = 0;
      for (const id of deviceIds) {
        if (revokeDeviceRows(db, id, now)) devices++;
        queuedMessages += deleteItems(q, id, Number.MAX_SAFE_INTEGER);
      }
      q('UPDATE users SET removed_at = ? WHERE id = ?').run(now, user.id);
      return { name, devices, queuedMessages };
    })
    .immediate();
}
