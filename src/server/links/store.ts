/** The query layer of device-linking rendezvous rows (sealed request, sealed reply). */
import { statementCache, type Db, type Statement } from '../storage/sqlite.ts';
import type { WriteTx } from '../storage/tx.ts';

export interface LinkRow {
  request: Uint8Array;
  reply: Uint8Array | null;
  expiresAt: number;
}

export class LinkStore {
  private readonly q: (sql: string) => Statement;

  constructor(db: Db) {
    this.q = statementCache(db);
  }

  get(rid: Uint8Array): LinkRow | undefined {
    const r = this.q('SELECT request, reply, expires_at FROM links WHERE rid = ?').get(rid) as
      { request: Uint8Array; reply: Uint8Array | null; expires_at: number } | undefined;
    return r === undefined
      ? undefined
      : { request: r.request, reply: r.reply, expiresAt: r.expires_at };
  }

  /** Rows not expired at `now`; all rows without it. */
  count(now?: number): number {
    const row =
      now === undefined
        ? this.q('SELECT count(*) AS n FROM links').get()
        : this.q('SELECT count(*) AS n FROM links WHERE expires_at > ?').get(now);
    return (row as { n: number }).n;
  }

  /** @returns false when the id is already in use */
  insert(_tx: WriteTx, rid: Uint8Array, request: Uint8Array, expiresAt: number): boolean {
    return (
      this.q('INSERT OR IGNORE INTO links (rid, request, expires_at) VALUES (?, ?, ?)').run(
        rid,
        request,
        expiresAt,
      ).changes > 0
    );
  }

  setReply(_tx: WriteTx, rid: Uint8Array, reply: Uint8Array): void {
    this.q('UPDATE links SET reply = ? WHERE rid = ?').run(reply, rid);
  }

  deleteExpired(_tx: WriteTx, now: number): void {
    this.q('DELETE FROM links WHERE expires_at <= ?').run(now);
  }
}
