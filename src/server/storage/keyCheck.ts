/**
 * Checks a data key against an existing database without letting SQLite touch the data
 * folder. Opening the real file with a wrong key would still rewrite the WAL index
 * (`foyer.db-shm`, e.g. WAL recovery after a crash), so the check runs on a private copy of
 * the file's first 64 KiB: page 1 is always in the main file (it is written when the
 * database switches to WAL mode) and is authenticated by the cipher, so a wrong key fails
 * there with SQLITE_NOTADB. Reading the schema from a truncated copy may fail in other ways
 * (SQLITE_CORRUPT: its pages lie beyond the prefix) — that still means page 1 decrypted,
 * i.e. the key is right; the real open that follows reads the whole file.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { unlockError } from './errors.ts';
import { applyKey } from './cipher.ts';

/** SQLite's largest page size: a prefix this long always holds whole pages. */
const PREFIX_LENGTH = 65536;

function readPrefix(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(PREFIX_LENGTH);
    const n = readSync(fd, buf, 0, PREFIX_LENGTH, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `key` decrypts page 1 of the database at `dbPath`. Returns undefined when the
 * file is too short to tell (a database that crashed while being created).
 */
export function keyOpensDatabase(dbPath: string, key: Uint8Array): boolean | undefined {
  const prefix = readPrefix(dbPath);
  if (prefix.length < 512) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'foyer-keycheck-'));
  try {
    const copy = join(dir, 'check.db');
    writeFileSync(copy, prefix, { mode: 0o600 });
    const db = new Database(copy, { fileMustExist: true });
    try {
      applyKey(db, key);
      db.pragma('user_version', { simple: true });
      return true;
    } catch (err) {
      return (err as { code?: unknown }).code !== 'SQLITE_NOTADB';
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * @throws StorageError locked when `key` does not open the database.
 */
export function assertKeyOpensDatabase(dbPath: string, key: Uint8Array, keySource: string): void {
  if (keyOpensDatabase(dbPath, key) === false) {
    throw unlockError(
      `the data key from ${keySource} does not open ${dbPath}. The key file belongs to another ` +
        'database, or the database file was replaced: check that --data / FOYER_DATA points at the ' +
        'right folder and restore the key file that was backed up with this database. No file was changed',
    );
  }
}
