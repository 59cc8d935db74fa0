/**
 * What the admin commands list and revoke beside a running server: invites and devices.
 * Invites are stored by the hash of their code, so an invite is named by the first hex
 * characters of that hash (never by its code, which only its holder should know).
 * Revocations are immediate transactions of the admin command's own process (directWrite):
 * a running server notices them by itself (revocations.ts), as for `foyer user remove`.
 */
import type { Db } from '../storage/sqlite.ts';
import { directWrite } from '../storage/tx.ts';
import { MailboxStore } from '../mailbox/store.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { revokeDeviceRows } from './revocations.ts';
import { accountStores } from './store/index.ts';
import { AdminViewStore, type DeviceListRow } from './store/adminViews.ts';

export interface InviteSummary {
  /** 12 hex characters of the code's hash. */
  id: string;
  admin: boolean;
  createdAt: number;
  expiresAt: number;
  state: 'pending' | 'used' | 'expired';
}

export type DeviceSummary = DeviceListRow;

const ID_RE = /^[0-9a-f]{4,64}$/;
const ID_LENGTH = 12;

export function listInvites(db: Db, now = Date.now()): InviteSummary[] {
  return new AdminViewStore(db).invites().map((r) => ({
    id: r.hash.slice(0, ID_LENGTH),
    admin: r.admin,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    state: r.usedAt !== null ? 'used' : r.expiresAt <= now ? 'expired' : 'pending',
  }));
}

/**
 * Makes a pending invite unusable (it expires now).
 * @throws FoyerError bad_request for a malformed id, not_found when no pending invite
 *   matches, usage when the prefix matches several.
 */
export function revokeInvite(db: Db, id: string, now = Date.now()): InviteSummary {
  if (!ID_RE.test(id)) {
    throw new FoyerError(
      'bad_request',
      `not an invite id: "${id}" (hex, as "foyer invite list" shows)`,
    );
  }
  const store = new AdminViewStore(db);
  return directWrite(db, (tx) => {
    const hits = store
      .invites()
      .filter((r) => r.usedAt === null && r.expiresAt > now && r.hash.startsWith(id));
    if (hits.length === 0) throw new FoyerError('not_found', `no pending invite ${id}`);
    if (hits.length > 1) {
      throw new FoyerError('usage', `several invites start with ${id}: give more characters`);
    }
    const hit = hits[0]!;
    store.expireInvite(tx, hit.hash, now);
    return {
      id: hit.hash.slice(0, ID_LENGTH),
      admin: hit.admin,
      createdAt: hit.createdAt,
      expiresAt: now,
      state: 'expired',
    };
  });
}

export function listDevices(db: Db, user?: string): DeviceSummary[] {
  return new AdminViewStore(db).devices(user);
}

/**
 * Revokes one device: its sessions, key packages and queued messages go, and it can never
 * sign in again. @throws FoyerError not_found when no live device has that id.
 */
export function revokeDevice(
  db: Db,
  id: string,
  now = Date.now(),
): { id: string; queuedMessages: number } {
  const stores = accountStores(db);
  const mailbox = new MailboxStore(db);
  return directWrite(db, (tx) => {
    if (!revokeDeviceRows(stores, tx, id, now)) {
      throw new FoyerError('not_found', `no live device ${id}`);
    }
    return { id, queuedMessages: mailbox.deleteUpTo(tx, id, Number.MAX_SAFE_INTEGER) };
  });
}

/** Deliveries waiting and their ciphertext bytes. */
export function queuedUse(db: Db): { queuedMessages: number; queuedBytes: number } {
  return new AdminViewStore(db).queued();
}
