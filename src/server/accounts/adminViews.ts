/**
 * What the admin commands list and revoke beside a running server: invites and devices.
 * Invites are stored by the hash of their code, so an invite is named by the first hex
 * characters of that hash (never by its code, which only its holder should know).
 * Revocations are immediate transactions that a running server notices by itself
 * (revocations.ts), as for `foyer user remove`.
 */
import { statementCache, type Db } from '../storage/sqlite.ts';
import { deleteItems } from '../mailbox/mailbox.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { revokeDeviceRows } from './revocations.ts';

export interface InviteSummary {
  /** 12 hex characters of the code's hash. */
  id: string;
  admin: boolean;
  createdAt: number;
  expiresAt: number;
  state: 'pending' | 'used' | 'expired';
}

export interface DeviceSummary {
  id: string;
  user: string;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

const ID_RE = /^[0-9a-f]{4,64}$/;

export function listInvites(db: Db, now = Date.now()): InviteSummary[] {
  const rows = db
    .prepare<
      [],
      { id: string; admin: number; created_at: number; expires_at: number; used_at: number | null }
    >(
      'SELECT lower(hex(code_hash)) AS id, admin, created_at, expires_at, used_at FROM invites ORDER BY created_at',
    )
    .all();
  return rows.map((r) => ({
    id: r.id.slice(0, 12),
    admin: r.admin === 1,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    state: r.used_at !== null ? 'used' : r.expires_at <= now ? 'expired' : 'pending',
  }));
}

/**
 * Makes a pending invite unusable (it expires now).
 * @throws FoyerError bad_request for a malformed id, not_found when no pending invite matches,
 *   usage when the prefix matches several.
 */
export function revokeInvite(db: Db, id: string, now = Date.now()): InviteSummary {
  if (!ID_RE.test(id))
    throw new FoyerError(
      'bad_request',
      `not an invite id: "${id}" (hex, as "foyer invite list" shows)`,
    );
  return db
    .transaction(() => {
      const matches = listInvites(db, now).filter(
        (i) => i.state === 'pending' && i.id.startsWith(id.slice(0, 12)),
      );
      const hits = db
        .prepare<[string, number], { h: Buffer }>(
          "SELECT code_hash AS h FROM invites WHERE lower(hex(code_hash)) LIKE ? || '%' AND used_at IS NULL AND expires_at > ?",
        )
        .all(id, now);
      if (hits.length === 0 || matches.length === 0)
        throw new FoyerError('not_found', `no pending invite ${id}`);
      if (hits.length > 1)
        throw new FoyerError('usage', `several invites start with ${id}: give more characters`);
      db.prepare('UPDATE invites SET expires_at = ? WHERE code_hash = ?').run(now, hits[0]!.h);
      return { ...matches[0]!, expiresAt: now, state: 'expired' as const };
    })
    .immediate();
}

export function listDevices(db: Db, user?: string): DeviceSummary[] {
  const sql = `SELECT d.id, u.name AS user, d.created_at, d.last_seen_at, d.revoked_at
    FROM devices d JOIN users u ON u.id = d.user_id
    WHERE u.removed_at IS NULL ${user === undefined ? '' : 'AND u.name = ?'} ORDER BY u.name, d.created_at`;
  const rows = db
    .prepare<
      unknown[],
      {
        id: string;
        user: string;
        created_at: number;
        last_seen_at: number | null;
        revoked_at: number | null;
      }
    >(sql)
    .all(...(user === undefined ? [] : [user]));
  return rows.map((r) => ({
    id: r.id,
    user: r.user,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    revokedAt: r.revoked_at,
  }));
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
  const q = statementCache(db);
  return db
    .transaction(() => {
      if (!revokeDeviceRows(db, id, now)) throw new FoyerError('not_found', `no live device ${id}`);
      return { id, queuedMessages: deleteItems(q, id, Number.MAX_SAFE_INTEGER) };
    })
    .immediate();
}

export interface StorageUse {
  databaseBytes: number;
  walBytes: number;
  queuedMessages: number;
  /** Bytes of ciphertext waiting in mailboxes (each stored once for all its recipients). */
  queuedBytes: number;
}

export function queuedUse(db: Db): { queuedMessages: number; queuedBytes: number } {
  const row = db
    .prepare<[], { n: number; b: number | null }>(
      'SELECT (SELECT count(*) FROM mailbox) AS n, (SELECT sum(length(body)) FROM payloads WHERE refs > 0) AS b',
    )
    .get();
  return { queuedMessages: row?.n ?? 0, queuedBytes: row?.b ?? 0 };
}
