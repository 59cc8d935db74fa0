/**
 * The backup file (`.foyerbak`, version 1):
 *
 *   "FOYERBAK" | u32 big-endian header length | header (JSON, UTF-8) | snapshot
 *
 * The snapshot is the database as SQLite's `VACUUM INTO` writes it: every page still
 * encrypted with the data key (ChaCha20-Poly1305 per page, as in the data folder), so no
 * plaintext is ever written, not even to a temporary file. The header says how to get the
 * data key back at restore:
 * - `data-key`: it is not in the file; restore needs the folder's `foyer.key` (or, for a
 *   folder in passphrase mode, the embedded `foyer.key.wrapped` plus its passphrase);
 * - `passphrase`: the data key wrapped (scrypt + AES-256-GCM, as foyer.key.wrapped) under a
 *   backup passphrase chosen at backup time, so the file alone and the passphrase restore.
 * `snapshotSha256` detects a truncated or damaged copy before anything is written.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';

export const BACKUP_MAGIC = Buffer.from('FOYERBAK', 'latin1');
export const BACKUP_VERSION = 1;
export const BACKUP_EXTENSION = '.foyerbak';
const MAX_HEADER_BYTES = 256 * 1024;

export interface BackupHeader {
  version: typeof BACKUP_VERSION;
  createdAt: number;
  foyerVersion: string;
  schemaVersion: number;
  /** How the data key is recovered (see the file comment). */
  protection: 'data-key' | 'passphrase';
  /** The key mode of the folder that was backed up. */
  folderKeyMode: 'key-file' | 'passphrase';
  /** `protection: passphrase`: the data key wrapped under the backup passphrase. */
  backupWrappedKey?: string;
  /** A folder in passphrase mode: its foyer.key.wrapped, unchanged. */
  folderWrappedKey?: string;
  /** The folder's foyer.json, when it had one. */
  config?: string;
  snapshotBytes: number;
  snapshotSha256: string;
}

/** The bytes before the snapshot. */
export function encodeHeader(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([BACKUP_MAGIC, len, json]);
}

function damaged(path: string, why: string): FoyerError {
  return new FoyerError('bad_request', `${path} is not a usable Foyer backup: ${why}`);
}

/**
 * Reads the header from the first bytes of a backup file.
 * @returns the header and the snapshot's offset.
 * @throws FoyerError bad_request naming what is wrong.
 */
export function decodeHeader(
  start: Buffer,
  path: string,
): { header: BackupHeader; offset: number } {
  if (start.length < 12 || !start.subarray(0, 8).equals(BACKUP_MAGIC)) {
    throw damaged(path, 'it does not start like one');
  }
  const len = start.readUInt32BE(8);
  if (len > MAX_HEADER_BYTES || start.length < 12 + len) throw damaged(path, 'header cut short');
  let h: unknown;
  try {
    h = JSON.parse(start.subarray(12, 12 + len).toString('utf8'));
  } catch (err) {
    throw damaged(path, `header is not JSON (${(err as Error).message})`);
  }
  const x = h as Partial<BackupHeader>;
  if (typeof h !== 'object' || h === null || x.version !== BACKUP_VERSION) {
    throw damaged(path, `unknown version ${String(x?.version)} (this Foyer reads version 1)`);
  }
  if (x.protection !== 'data-key' && x.protection !== 'passphrase')
    throw damaged(path, 'unknown protection');
  if (x.folderKeyMode !== 'key-file' && x.folderKeyMode !== 'passphrase')
    throw damaged(path, 'unknown key mode');
  if (x.protection === 'passphrase' && typeof x.backupWrappedKey !== 'string')
    throw damaged(path, 'the wrapped key is missing');
  if (
    !Number.isSafeInteger(x.snapshotBytes) ||
    typeof x.snapshotSha256 !== 'string' ||
    !Number.isSafeInteger(x.createdAt) ||
    !Number.isSafeInteger(x.schemaVersion)
  )
    throw damaged(path, 'header fields missing');
  return { header: x as BackupHeader, offset: 12 + len };
}
