/**
 * Restoring a backup file into an empty data folder: check the file whole (size and SHA-256)
 * and the key against it before anything is put in place, then write the key, the database
 * and the settings, open it once (migrations, integrity check) and hand it back closed.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dataLayout, type DataLayout } from '../storage/layout.ts';
import { StorageError, unlockError } from '../storage/errors.ts';
import { createKeyFile, readKeyFile } from '../storage/keyFile.ts';
import { unwrapDataKey } from '../storage/wrappedKey.ts';
import { writeFileExclusive } from '../storage/atomicFile.ts';
import { keyOpensDatabase } from '../storage/keyCheck.ts';
import { openDatabase } from '../storage/database.ts';
import { integrityCheck } from '../storage/maintenance.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { decodeHeader, type BackupHeader } from './format.ts';

export interface RestoreOptions {
  file: string;
  dataDir: string;
  /** `data-key` backups of a key-file folder: the backed-up foyer.key. */
  keyFile?: string | undefined;
  /** `passphrase` backups: the backup passphrase. */
  backupPassphrase?: string | undefined;
  /** `data-key` backups of a passphrase-mode folder: the data key's passphrase. */
  dataPassphrase?: string | undefined;
}

export interface Restored {
  header: BackupHeader;
  /** How the restored folder's key is now kept. */
  keyMode: 'key-file' | 'passphrase';
}

const CHUNK = 1024 * 1024;
const HEADER_PROBE = 256 * 1024 + 12;

/** Reads the header of a backup file. @throws FoyerError bad_request */
export function readBackupHeader(file: string): { header: BackupHeader; offset: number } {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(HEADER_PROBE);
    const n = readSync(fd, buf, 0, HEADER_PROBE, 0);
    return decodeHeader(buf.subarray(0, n), file);
  } finally {
    closeSync(fd);
  }
}

function assertEmptyFolder(layout: DataLayout): void {
  if (!existsSync(layout.dir)) return;
  const entries = readdirSync(layout.dir);
  if (entries.length > 0) {
    throw new FoyerError(
      'usage',
      `${layout.dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): ` +
        'restore only into a new or empty data folder, so nothing existing is overwritten',
    );
  }
}

/** The data key and how to keep it in the restored folder. */
function recoverKey(
  h: BackupHeader,
  opts: RestoreOptions,
): { key: Uint8Array; keep: (layout: DataLayout) => void; mode: Restored['keyMode'] } {
  if (h.protection === 'passphrase') {
    if (opts.backupPassphrase === undefined) {
      throw unlockError(
        'this backup is protected by a backup passphrase: set FOYER_BACKUP_PASSPHRASE, or run the command in a terminal',
      );
    }
    const key = unwrapDataKey(h.backupWrappedKey ?? '', opts.backupPassphrase, opts.file);
    return { key, keep: (l) => createKeyFile(l.keyFile, key), mode: 'key-file' };
  }
  if (h.folderKeyMode === 'passphrase' && h.folderWrappedKey !== undefined) {
    if (opts.dataPassphrase === undefined) {
      throw unlockError(
        "the backed-up folder kept its key under a passphrase: set FOYER_DATA_PASSPHRASE to that folder's passphrase",
      );
    }
    const text = h.folderWrappedKey;
    const key = unwrapDataKey(text, opts.dataPassphrase, opts.file);
    return {
      key,
      keep: (l) => writeFileExclusive(l.wrappedKeyFile, text, 0o600),
      mode: 'passphrase',
    };
  }
  if (opts.keyFile === undefined) {
    throw unlockError(
      'this backup is encrypted with the data key, which is not in it: give the backed-up key file with --key PATH/foyer.key',
    );
  }
  const key = readKeyFile(opts.keyFile);
  return { key, keep: (l) => createKeyFile(l.keyFile, key), mode: 'key-file' };
}

/** Copies the snapshot out of the backup, checking its size and hash. */
function extractSnapshot(file: string, offset: number, h: BackupHeader, dest: string): void {
  const src = openSync(file, 'r');
  const out = openSync(dest, 'wx', 0o600);
  const hash = createHash('sha256');
  const buf = Buffer.alloc(CHUNK);
  let total = 0;
  try {
    for (let n; (n = readSync(src, buf, 0, CHUNK, offset + total)) > 0;) {
      hash.update(buf.subarray(0, n));
      writeSync(out, buf, 0, n);
      total += n;
    }
    fsyncSync(out);
  } finally {
    closeSync(src);
    closeSync(out);
  }
  if (total !== h.snapshotBytes || hash.digest('hex') !== h.snapshotSha256) {
    throw new FoyerError(
      'bad_request',
      `${file} is damaged or incomplete (size or checksum differs): use another copy`,
    );
  }
}

/**
 * Restores `opts.file` into the empty folder `opts.dataDir`.
 * @throws FoyerError usage (folder not empty), bad_request (damaged file), locked (key or
 *   passphrase missing or wrong); on any failure the folder is left as empty as it was.
 */
export function restoreBackup(opts: RestoreOptions): Restored {
  const layout = dataLayout(opts.dataDir);
  assertEmptyFolder(layout);
  const { header, offset } = readBackupHeader(opts.file);
  const recovered = recoverKey(header, opts);
  const created = !existsSync(layout.dir);
  mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  const staged = `${layout.db}.restoring`;
  try {
    extractSnapshot(opts.file, offset, header, staged);
    if (keyOpensDatabase(staged, recovered.key) !== true) {
      throw unlockError(
        `the key does not open the database in ${opts.file}: it belongs to another data folder`,
      );
    }
    recovered.keep(layout);
    renameSync(staged, layout.db);
    if (header.config !== undefined)
      writeFileSync(layout.configFile, header.config, { mode: 0o600 });
    const db = openDatabase({
      dataDir: layout.dir,
      passphrase: recovered.mode === 'passphrase' ? opts.dataPassphrase : undefined,
      create: false,
    });
    try {
      const check = integrityCheck(db);
      if (check !== 'ok') {
        throw new StorageError(
          'internal',
          `the restored database fails its integrity check: ${check}`,
        );
      }
    } finally {
      db.close();
    }
    return { header, keyMode: recovered.mode };
  } catch (err) {
    // Leave the folder as found: empty (or absent).
    if (created) rmSync(layout.dir, { recursive: true, force: true });
    else
      for (const e of readdirSync(layout.dir))
        rmSync(`${layout.dir}/${e}`, { recursive: true, force: true });
    throw err;
  }
}
