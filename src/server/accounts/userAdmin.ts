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
import type { Db } from '../storage/sqlite.ts';
import { directWrite, type WriteTx } from '../storage/tx.ts';
import { MailboxStore } from '../mailbox/store.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { isUserName } from '../../shared/protocol/names.ts';
import { revokeDeviceRows } from './revocations.ts';
import {
  accountStores,
  UserStore,
  type AccountStores,
  type UserSummaryRow,
} from './store/index.ts';

/** A live user: counts only, no keys. */
export type UserSummary = UserSummaryRow;

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
  return new UserStore(db).summaries();
}

/** One user that is not removed. @throws FoyerError invalid_name, not_found */
export function findUser(db: Db, name: string): UserSummary {
  checkName(name);
  const user = new UserStore(db).summary(name);
  if (user === undefined) throw new FoyerError('not_found', `there is no user "${name}"`);
  return user;
}

export interface RemovedUser {
  name: string;
  /** Devices revoked by this removal. */
  devices: number;
  /** Undelivered mailbox items deleted with them. */
  queuedMessages: number;
}

/**
 * Removes a user: revokes every device (sessions, key packages and mailbox
 * deleted, as for a single revocation) and marks the row removed, freeing the name.
 * @throws FoyerError invalid_name, not_found
 */
export function removeUser(db: Db, name: string, now = Date.now()): RemovedUser {
  checkName(name);
  const stores = accountStores(db);
  const mailbox = new MailboxStore(db);
  // The admin command's own process: the server's writer is not here. One immediate
  // transaction, so a running server sees all of the removal or none of it.
  return directWrite(db, (tx) => {
    let queuedMessages = 0;
    const removed = removeUserIn(stores, tx, name, now, (id) => {
      queuedMessages += mailbox.deleteUpTo(tx, id, Number.MAX_SAFE_INTEGER);
    });
    return { name, devices: removed.devices, queuedMessages };
  });
}

/**
 * The removal itself, inside the caller's write transaction: every device revoked (its
 * mailbox emptied by `dropMailbox`, which the server points at its own mailbox counts), the
 * user marked removed. Shared by `foyer user remove` and the admin route.
 * @returns how many devices were live, and their ids
 * @throws FoyerError invalid_name, not_found
 */
export function removeUserIn(
  stores: AccountStores,
  tx: WriteTx,
  name: string,
  now: number,
  dropMailbox: (deviceId: string) => void,
): { devices: number; deviceIds: string[] } {
  checkName(name);
  const user = stores.users.liveByName(name);
  if (user === undefined) throw new FoyerError('not_found', `there is no user "${name}"`);
  const deviceIds: string[] = [];
  for (const { id } of stores.users.devicesOf(user.id)) {
    if (revokeDeviceRows(stores, tx, id, now)) deviceIds.push(id);
    dropMailbox(id);
  }
  stores.users.markRemoved(tx, user.id, now);
  return { devices: deviceIds.length, deviceIds };
}

/**
 * Disables a user inside the caller's write transaction: the account stays (devices, group
 * memberships, queued messages), but its sessions end and no device of it may log in until
 * `enableUserIn`. The server closes its sockets when it notices (Revocations.refresh).
 * @returns the live devices whose sessions ended, and whether it was enabled until now
 * @throws FoyerError invalid_name, not_found
 */
export function disableUserIn(
  stores: AccountStores,
  tx: WriteTx,
  name: string,
  now: number,
): { changed: boolean; deviceIds: string[] } {
  checkName(name);
  const user = stores.users.liveByName(name);
  if (user === undefined) throw new FoyerError('not_found', `there is no user "${name}"`);
  const changed = stores.users.setDisabled(tx, user.id, now);
  const deviceIds = stores.users
    .devicesOf(user.id)
    .filter((d) => d.revokedAt === null)
    .map((d) => d.id);
  for (const id of deviceIds) stores.sessions.deleteForDevice(tx, id);
  return { changed, deviceIds };
}

/** Lets a disabled user log in again. @returns whether it was disabled @throws FoyerError invalid_name, not_found */
export function enableUserIn(stores: AccountStores, tx: WriteTx, name: string): boolean {
  checkName(name);
  const user = stores.users.liveByName(name);
  if (user === undefined) throw new FoyerError('not_found', `there is no user "${name}"`);
  return stores.users.setDisabled(tx, user.id, null);
}

/** `foyer user disable NAME`, beside a running server (one immediate transaction). */
export function disableUser(
  db: Db,
  name: string,
  now = Date.now(),
): { changed: boolean; devices: number } {
  const stores = accountStores(db);
  const r = directWrite(db, (tx) => disableUserIn(stores, tx, name, now));
  return { changed: r.changed, devices: r.deviceIds.length };
}

/** `foyer user enable NAME`. */
export function enableUser(db: Db, name: string): { changed: boolean } {
  const stores = accountStores(db);
  return { changed: directWrite(db, (tx) => enableUserIn(stores, tx, name)) };
}
