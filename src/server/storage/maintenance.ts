/**
 * Whole-database operations for operators: health reads, structure checks and the
 * consistent snapshot that backups are made of.
 */
import type { Db } from './sqlite.ts';

/** Objects in the schema (reads page 1 through the cipher; 0 means no schema). */
export function schemaObjects(db: Db): number {
  return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sqlite_master').get()?.n ?? 0;
}

/** SQLite's quick structure check: `ok`, or what is wrong. */
export function quickCheck(db: Db): string {
  return String(db.pragma('quick_check', { simple: true }));
}

/** SQLite's full integrity check: `ok`, or what is wrong. */
export function integrityCheck(db: Db): string {
  return String(db.pragma('integrity_check', { simple: true }));
}

/**
 * Writes a consistent copy of the database to `path` (which must not exist): one read
 * transaction, so concurrent writers continue; SQLite3MultipleCiphers encrypts the copy with
 * this connection's cipher and key.
 */
export function vacuumInto(db: Db, path: string): void {
  db.prepare('VACUUM INTO ?').run(path);
}
