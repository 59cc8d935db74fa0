/**
 * Opens Foyer's encrypted SQLite database: creates the data folder, key and database on the
 * first start, otherwise unlocks them. Pages and WAL are encrypted (see cipher.ts); the WAL
 * lets the server and admin commands (`foyer invite create`) use the database together.
 */
import { chmodSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from './sqlite.ts';
import { dataLayout, type DataLayout } from './layout.ts';
import { StorageError, unlockError } from './errors.ts';
import { keyMode, loadDataKey, loadOrCreateDataKey } from './dataKey.ts';
import { assertKeyOpensDatabase } from './keyCheck.ts';
import { applyKey } from './cipher.ts';
import { migrate, type Migration } from './migrate.ts';
import { migrations as allMigrations } from './migrations/index.ts';
import type { ScryptParams } from './wrappedKey.ts';

/** How long a writer waits for another process's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;

export interface OpenDatabaseOptions {
  dataDir: string;
  /** Passphrase mode; undefined = key file mode. */
  passphrase?: string | undefined;
  /** Create the folder, key and database when none exist (only `foyer start` does). */
  create: boolean;
  /** `full` (default): every commit is on disk when it returns. `normal`: may lose the last commits on power loss. */
  durability?: 'full' | 'normal';
  /** The migrations to apply (tests substitute their own). */
  migrations?: readonly Migration[];
  /** KDF cost when a new passphrase-wrapped key is created (tests lower it). */
  scrypt?: ScryptParams;
}

function sqliteMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function restrictNewFiles(dbPath: string): void {
  for (const path of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
}

function keySource(layout: DataLayout): string {
  return keyMode(layout) === 'passphrase'
    ? `${layout.wrappedKeyFile} and the passphrase`
    : layout.keyFile;
}

/**
 * Opens (and on first start creates) the database of a data folder, applies pending
 * migrations and returns the handle.
 * @throws StorageError: `locked` ("cannot unlock the database: …") for a missing or wrong
 *   key or passphrase, leaving every file untouched; `not_found` when there is no database
 *   and `create` is false; `usage` for a database written by a newer Foyer.
 */
export function openDatabase(opts: OpenDatabaseOptions): Db {
  const layout = dataLayout(opts.dataDir);
  const dbExists = existsSync(layout.db);
  if (!dbExists && !opts.create) {
    throw new StorageError(
      'not_found',
      `there is no Foyer database in ${layout.dir}: start the server once ("foyer start") to ` +
        'create it, or point --data / FOYER_DATA at the right folder',
    );
  }
  const req = {
    layout,
    passphrase: opts.passphrase,
    dbExists,
    ...(opts.scrypt === undefined ? {} : { scrypt: opts.scrypt }),
  };
  const key = dbExists ? loadDataKey(req) : loadOrCreateDataKey(req).key;
  if (dbExists) assertKeyOpensDatabase(layout.db, key, keySource(layout));

  let db: Db;
  try {
    db = new Database(layout.db, { fileMustExist: dbExists, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new StorageError('internal', `cannot open ${layout.db}: ${sqliteMessage(err)}`);
  }
  try {
    applyKey(db, key);
    // Reading the schema proves the key (the check above covered page 1 only).
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    db.pragma('journal_mode = WAL');
    // SQLite creates files with the umask's mode and gives the WAL the database's mode.
    if (!dbExists) restrictNewFiles(layout.db);
    db.pragma(`synchronous = ${opts.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    // Sorts and temporary indexes would otherwise spill to unencrypted temp files.
    db.pragma('temp_store = MEMORY');
    migrate(db, opts.migrations ?? allMigrations);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StorageError) throw err;
    if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') {
      throw unlockError(`the data key does not open ${layout.db} (${sqliteMessage(err)})`);
    }
    throw new StorageError('internal', `cannot open ${layout.db}: ${sqliteMessage(err)}`);
  }
}
