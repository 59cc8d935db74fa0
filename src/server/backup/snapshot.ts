/**
 * Writing a backup from an open database: `VACUUM INTO` a temporary file beside the output,
 * then the header and that snapshot into the final file, fsynced and renamed into place.
 *
 * `VACUUM INTO` reads inside one read transaction, so the snapshot is consistent even while
 * the server keeps writing from another process (WAL: readers never block the writer), and
 * SQLite3MultipleCiphers writes it with the same cipher and key as the source connection.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Db } from '../storage/sqlite.ts';
import type { DataLayout } from '../storage/layout.ts';
import { keyMode } from '../storage/dataKey.ts';
import { schemaVersion } from '../storage/migrate.ts';
import { vacuumInto } from '../storage/maintenance.ts';
import { FOYER_VERSION } from '../version.ts';
import { BACKUP_VERSION, encodeHeader, type BackupHeader } from './format.ts';

export interface BackupOptions {
  db: Db;
  layout: DataLayout;
  /** Final path of the backup file. */
  out: string;
  /** Set: the data key, wrapped under a backup passphrase, goes into the file. */
  backupWrappedKey?: string;
  now?: number;
}

const CHUNK = 1024 * 1024;

function readOptional(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/**
 * Writes a backup of `db` to `out` (replacing nothing: `out` must not exist).
 * @returns the header written.
 * @throws Error from SQLite or the file system; no partial `out` is left behind.
 */
export function writeBackup(opts: BackupOptions): BackupHeader {
  const { db, layout, out } = opts;
  if (existsSync(out)) throw new Error(`${out} already exists`);
  const tag = randomBytes(6).toString('hex');
  const snapshot = join(dirname(out), `.${basename(out)}.${tag}.snapshot`);
  const partial = join(dirname(out), `.${basename(out)}.${tag}.tmp`);
  try {
    vacuumInto(db, snapshot);
    const hash = createHash('sha256');
    const size = statSync(snapshot).size;
    const mode = keyMode(layout) === 'passphrase' ? 'passphrase' : 'key-file';
    const folderWrappedKey =
      mode === 'passphrase' ? readOptional(layout.wrappedKeyFile) : undefined;
    const config = readOptional(layout.configFile);
    // Hash first (a second read of a small file), so the header can precede the snapshot.
    const src = openSync(snapshot, 'r');
    const buf = Buffer.alloc(CHUNK);
    try {
      for (let n; (n = readSync(src, buf, 0, CHUNK, null)) > 0;) hash.update(buf.subarray(0, n));
    } finally {
      closeSync(src);
    }
    const header: BackupHeader = {
      version: BACKUP_VERSION,
      createdAt: opts.now ?? Date.now(),
      foyerVersion: FOYER_VERSION,
      schemaVersion: schemaVersion(db),
      protection: opts.backupWrappedKey === undefined ? 'data-key' : 'passphrase',
      folderKeyMode: mode,
      ...(opts.backupWrappedKey === undefined ? {} : { backupWrappedKey: opts.backupWrappedKey }),
      ...(folderWrappedKey === undefined ? {} : { folderWrappedKey }),
      ...(config === undefined ? {} : { config }),
      snapshotBytes: size,
      snapshotSha256: hash.digest('hex'),
    };
    const fd = openSync(partial, 'wx', 0o600);
    try {
      writeSync(fd, encodeHeader(header));
      const in2 = openSync(snapshot, 'r');
      try {
        for (let n; (n = readSync(in2, buf, 0, CHUNK, null)) > 0;) writeSync(fd, buf, 0, n);
      } finally {
        closeSync(in2);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, out);
    return header;
  } finally {
    rmSync(snapshot, { force: true });
    rmSync(partial, { force: true });
  }
}
