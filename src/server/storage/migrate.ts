/**
 * The migration runner. The schema version lives in `PRAGMA user_version` (in the database
 * header, so it changes atomically with the migration's transaction). Each migration runs in
 * its own IMMEDIATE transaction, and the version is re-read inside it, so two processes
 * starting together (server and `foyer invite create`) cannot apply one twice.
 */
import type { Db } from './sqlite.ts';
import { StorageError } from './errors.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL run as one script. */
  readonly sql?: string;
  /** For changes SQL alone cannot express (data rewrites). */
  readonly up?: (db: Db) => void;
  /**
   * The migration drops and recreates tables that others reference (SQLite's way to change a
   * constraint): it runs with foreign keys off, and the keys are checked before it commits.
   */
  readonly rebuildsTables?: boolean;
}

/** The schema version stored in the database (0 for a new one). */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Versions strictly increase. Numbers are reserved per capability, so one may land before a
 * smaller one: the list may have gaps until the missing numbers are merged.
 */
function checkList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1 && !(i > 0 && m.version > list[i - 1]!.version)) {
      throw new Error(`migration list is out of order: entry ${i} has version ${m.version}`);
    }
  });
}

/**
 * Applies the pending migrations of `list` and returns the versions applied.
 * @throws StorageError usage when the database is newer than this code.
 */
export function migrate(db: Db, list: readonly Migration[]): number[] {
  checkList(list);
  const latest = list.at(-1)?.version ?? 0;
  const applied: number[] = [];
  const refuseNewer = (found: number) =>
    new StorageError(
      'usage',
      `the database has schema version ${found} but this Foyer knows versions up to ${latest}: ` +
        'it was written by a newer Foyer. Install that version (or newer) again, or restore a backup ' +
        'made with this version',
      { schemaVersion: found, supported: latest },
    );
  if (schemaVersion(db) > latest) throw refuseNewer(schemaVersion(db));
  for (const m of list) {
    const step = db.transaction(() => {
      const current = schemaVersion(db);
      if (current > latest) throw refuseNewer(current);
      if (current >= m.version) return false;
      if (m.sql !== undefined) db.exec(m.sql);
      m.up?.(db);
      if (m.rebuildsTables === true) assertForeignKeys(db, m);
      // user_version takes no bound parameter; m.version is a checked integer.
      db.pragma(`user_version = ${m.version}`);
      return true;
    });
    if (m.rebuildsTables === true && schemaVersion(db) < m.version) {
      // The pragma is a no-op inside a transaction: switch it around the step.
      const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
      db.pragma('foreign_keys = OFF');
      try {
        if (step.immediate()) applied.push(m.version);
      } finally {
        if (enforced) db.pragma('foreign_keys = ON');
      }
    } else if (step.immediate()) applied.push(m.version);
  }
  return applied;
}

/** @throws StorageError internal when a rebuilt table left a dangling reference */
function assertForeignKeys(db: Db, m: Migration): void {
  const broken = db.pragma('foreign_key_check') as unknown[];
  if (broken.length > 0) {
    throw new StorageError(
      'internal',
      `migration ${m.version} (${m.name}) would leave ${broken.length} broken references`,
    );
  }
}
