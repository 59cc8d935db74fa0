/** The query layer of invites: rows keyed by the hash of the code (never the code). */
import { statementCache, type Db, type Statement } from '../../storage/sqlite.ts';
import type { WriteTx } from '../../storage/tx.ts';

export interface InviteRow {
  admin: boolean;
  expiresAt: number;
  usedAt: number | null;
}

export class InviteStore {
  private readonly q: (sql: string) => Statement;

  constructor(db: Db) {
    this.q = statementCache(db);
  }

  get(codeHash: Uint8Array): InviteRow | undefined {
    const r = this.q('SELECT admin, expires_at, used_at FROM invites WHERE code_hash = ?').get(
      codeHash,
    ) as { admin: number; expires_at: number; used_at: number | null } | undefined;
    return r === undefined
      ? undefined
      : { admin: r.admin === 1, expiresAt: r.expires_at, usedAt: r.used_at };
  }

  /** Unused invites that have not expired; `adminOnly` counts admin invites alone. */
  countPending(now: number, adminOnly = false): number {
    const sql = `SELECT count(*) AS n FROM invites WHERE used_at IS NULL AND expires_at > ?${
      adminOnly ? ' AND admin = 1' : ''
    }`;
    return (this.q(sql).get(now) as { n: number }).n;
  }

  insert(
    _tx: WriteTx,
    i: { codeHash: Uint8Array; admin: boolean; createdAt: number; expiresAt: number },
  ): void {
    this.q(
      'INSERT INTO invites (code_hash, admin, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ).run(i.codeHash, i.admin ? 1 : 0, i.createdAt, i.expiresAt);
  }

  markUsed(_tx: WriteTx, codeHash: Uint8Array, now: number): void {
    this.q('UPDATE invites SET used_at = ? WHERE code_hash = ?').run(now, codeHash);
  }
}
