/**
 * The query layer of device sessions. (Login challenges are stateless: nothing is stored
 * for them, and migration 0003 dropped their table.)
 */
import { statementCache, type Db, type Statement } from '../../storage/sqlite.ts';
import type { WriteTx } from '../../storage/tx.ts';

/** A session joined with its device (not revoked) and its user. */
export interface SessionRow {
  deviceId: string;
  expiresAt: number;
  userId: number;
  userName: string;
}

export class SessionStore {
  private readonly q: (sql: string) => Statement;

  constructor(db: Db) {
    this.q = statementCache(db);
  }

  /** The live session behind a token hash, with its device's user. */
  byTokenHash(hash: Uint8Array): SessionRow | undefined {
    const r = this.q(
      `SELECT s.device_id, s.expires_at, u.id AS user_id, u.name
         FROM sessions s JOIN devices d ON d.id = s.device_id JOIN users u ON u.id = d.user_id
        WHERE s.token_hash = ? AND d.revoked_at IS NULL`,
    ).get(hash) as
      { device_id: string; expires_at: number; user_id: number; name: string } | undefined;
    return r === undefined
      ? undefined
      : { deviceId: r.device_id, expiresAt: r.expires_at, userId: r.user_id, userName: r.name };
  }

  countLive(now: number): number {
    return (
      this.q('SELECT count(*) AS n FROM sessions WHERE expires_at > ?').get(now) as {
        n: number;
      }
    ).n;
  }

  insertSession(
    _tx: WriteTx,
    s: { tokenHash: Uint8Array; deviceId: string; createdAt: number; expiresAt: number },
  ): void {
    this.q(
      'INSERT INTO sessions (token_hash, device_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ).run(s.tokenHash, s.deviceId, s.createdAt, s.expiresAt);
  }

  /** A device's sessions past the `keep` newest ones. */
  tokenHashesBeyond(deviceId: string, keep: number): Uint8Array[] {
    return this.q(
      'SELECT token_hash FROM sessions WHERE device_id = ? ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?',
    )
      .pluck()
      .all(deviceId, keep) as Uint8Array[];
  }

  deleteSession(_tx: WriteTx, tokenHash: Uint8Array): void {
    this.q('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  /** A revoked device's sessions. */
  deleteForDevice(_tx: WriteTx, deviceId: string): void {
    this.q('DELETE FROM sessions WHERE device_id = ?').run(deviceId);
  }

  deleteExpired(_tx: WriteTx, now: number): void {
    this.q('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  }
}
