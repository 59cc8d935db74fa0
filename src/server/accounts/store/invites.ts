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

  /** Deleted rather than marked used: a kept row's time would tie it to the account it made. */
  deleteUsed(_tx: WriteTx, codeHash: Uint8Array): void {
    this.q('DELETE FROM invites WHERE code_hash = ?').run(codeHash);
  }

  /** Open invites and those used since `usedSince`, newest first (the admin page's list). */
  listRecent(now: number, usedSince: number, limit: number): InviteListRow[] {
    const rows = this.q(
      `SELECT rowid AS id, admin, created_at, expires_at, used_at FROM invites
       WHERE (used_at IS NULL AND expires_at > ?) OR used_at > ?
       ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    ).all(now, usedSince, limit) as Array<{
      id: number;
      admin: number;
      created_at: number;
      expires_at: number;
      used_at: number | null;
    }>;
    return rows.map((r) => ({
      id: r.id,
      admin: r.admin === 1,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      usedAt: r.used_at,
    }));
  }

  /** Deletes an unused invite by its row id; returns whether there was one. */
  deleteUnused(_tx: WriteTx, id: number): boolean {
    return this.q('DELETE FROM invites WHERE rowid = ? AND used_at IS NULL').run(id).changes > 0;
  }
}

/** An invite as the admin page lists it: named by its row id (the code itself is not kept). */
export interface InviteListRow {
  id: number;
  admin: boolean;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}
