/**
 * Invites as the admin page sees them. Only a hash of each code is stored, so a listed invite
 * cannot show its link again: the link is shown once, when it is created. Invites are named
 * by their row number instead.
 */
import type { Db } from '../storage/sqlite.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';

export interface InviteSummary {
  id: number;
  admin: boolean;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

interface InviteRow {
  id: number;
  admin: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Invites not yet used and not expired, newest first, plus those used in the last week. */
export function listInvites(db: Db, now = Date.now()): InviteSummary[] {
  const rows = db
    .prepare(
      `SELECT rowid AS id, admin, created_at, expires_at, used_at FROM invites
       WHERE (used_at IS NULL AND expires_at > ?) OR used_at > ?
       ORDER BY created_at DESC LIMIT 200`,
    )
    .all(now, now - 7 * 24 * 3600 * 1000) as InviteRow[];
  return rows.map((r) => ({
    id: r.id,
    admin: r.admin === 1,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
  }));
}

/** Deletes an unused invite so that its link no longer works. @throws FoyerError not_found */
export function revokeInvite(db: Db, id: number): void {
  const changes = db
    .prepare('DELETE FROM invites WHERE rowid = ? AND used_at IS NULL')
    .run(id).changes;
  if (changes === 0) throw new FoyerError('not_found', 'no such unused invite');
}
