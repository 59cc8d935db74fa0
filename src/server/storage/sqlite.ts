/** The database handle type used across the server, and a prepared-statement cache. */
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';

export type Db = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/**
 * Returns `sql → prepared statement`, preparing each text once. Hot paths (fan-out,
 * acknowledgements) would otherwise spend more time compiling SQL than running it.
 */
export function statementCache(db: Db): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let s = cache.get(sql);
    if (s === undefined) {
      s = db.prepare(sql) as Statement;
      cache.set(sql, s);
    }
    return s;
  };
}

/**
 * Returns a reader of `PRAGMA data_version`, which changes when ANOTHER connection commits
 * (never for this connection's own commits): the cheap way to notice an admin command's
 * writes.
 */
export function dataVersionReader(db: Db): () => number {
  const s = db.prepare('PRAGMA data_version').pluck() as Statement;
  return () => s.get() as number;
}

/** A trivial read, to show the database answers (`/healthz`). */
export function ping(db: Db): void {
  db.prepare('SELECT 1').get();
}
