/** The query layer of the admin listings: invites by hash prefix, devices with their user. */
import { statementCache, type Db, type Statement } from '../../storage/sqlite.ts';
import type { WriteTx } from '../../storage/tx.ts';

export interface InviteListRow {
  /** Lowercase hex of the code's hash. */
  hash: string;
  admin: boolean;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface DeviceListRow {
  id: string;
  user: string;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

export class AdminViewStore {
  private readonly q: (sql: string) => Statement;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.q = statementCache(db);
  }

  invites(): InviteListRow[] {
    const rows = this.q(
      'SELECT lower(hex(code_hash)) AS hash, admin, created_at, expires_at, used_at FROM invites ORDER BY created_at',
    ).all() as Array<{
      hash: string;
      admin: number;
      created_at: number;
      expires_at: number;
      used_at: number | null;
    }>;
    return rows.map((r) => ({
      hash: r.hash,
      admin: r.admin === 1,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      usedAt: r.used_at,
    }));
  }

  /** Makes the pending invite whose hash is `hash` expire at `now`. */
  expireInvite(_tx: WriteTx, hash: string, now: number): boolean {
    return (
      this.q(
        'UPDATE invites SET expires_at = ? WHERE lower(hex(code_hash)) = ? AND used_at IS NULL AND expires_at > ?',
      ).run(now, hash, now).changes === 1
    );
  }

  devices(user?: string): DeviceListRow[] {
    const sql = `SELECT d.id, u.name AS user, d.created_at, d.last_seen_at, d.revoked_at
      FROM devices d JOIN users u ON u.id = d.user_id
      WHERE u.removed_at IS NULL ${user === undefined ? '' : 'AND u.name = ?'}
      ORDER BY u.name, d.created_at`;
    const rows = this.db
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

  /** Deliveries waiting, and the bytes of ciphertext they hold (each payload counted once). */
  queued(): { queuedMessages: number; queuedBytes: number } {
    const row = this.q(
      'SELECT (SELECT count(*) FROM mailbox) AS n, (SELECT sum(length(body)) FROM payloads WHERE refs > 0) AS b',
    ).get() as { n: number; b: number | null } | undefined;
    return { queuedMessages: row?.n ?? 0, queuedBytes: row?.b ?? 0 };
  }
}
