/**
 * The data-folder lock: one server per data folder. Two servers on one database would each
 * keep their own caches (mailbox sizes, hub epochs) and hand out conflicting state.
 *
 * The lock is an operating-system file lock, not a PID file: SQLite's own exclusive lock on
 * a small, empty, unencrypted database (`foyer.lock`). The kernel drops it when the process
 * dies, even by `kill -9` or a power cut, so a stale lock never blocks a restart, and a
 * reused PID can never fake a running server. SQLite does this the same way on Linux, macOS
 * and Windows. The file holds no data.
 */
import { existsSync, mkdirSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from './sqlite.ts';
import type { DataLayout } from './layout.ts';
import { StorageError } from './errors.ts';

/** A held lock; `release` is idempotent. */
export interface DataLock {
  release(): void;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Takes the lock, or returns undefined when another process holds it. */
export function tryLockDataFolder(layout: DataLayout): DataLock | undefined {
  if (!existsSync(layout.dir)) mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  let db: Db;
  try {
    // timeout 0: never wait for the other holder, answer at once.
    db = new Database(layout.lockFile, { timeout: 0 });
  } catch (err) {
    if (isBusy(err)) return undefined;
    throw new StorageError('internal', `cannot open ${layout.lockFile}: ${(err as Error).message}`);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // An exclusive transaction left open: the lock lives as long as this connection.
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if (isBusy(err)) return undefined;
    throw new StorageError('internal', `cannot lock ${layout.lockFile}: ${(err as Error).message}`);
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}

/**
 * Takes the lock for a server.
 * @throws StorageError `in_use` when another running server holds it; `detail` says where.
 */
export function lockDataFolder(layout: DataLayout, detail: () => string): DataLock {
  const lock = tryLockDataFolder(layout);
  if (lock === undefined) {
    throw new StorageError(
      'in_use',
      `another Foyer server is already running on the data folder ${layout.dir}${detail()}. ` +
        'Stop it first ("foyer status" shows it), or point --data / FOYER_DATA at another folder',
    );
  }
  return lock;
}

/** Whether a server holds the lock right now (takes and releases it when free). */
export function dataFolderInUse(layout: DataLayout): boolean {
  if (!existsSync(layout.lockFile)) return false;
  const lock = tryLockDataFolder(layout);
  if (lock === undefined) return true;
  lock.release();
  return false;
}
