/**
 * Finds the data key of a data folder: from the key file, or from the wrapped key file with
 * the passphrase, or — only when no database exists yet — by creating a new random key.
 * A new key is never created beside an existing database: that would lock it for good.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { DataLayout } from './layout.ts';
import { StorageError, unlockError } from './errors.ts';
import { createKeyFile, DATA_KEY_LENGTH, readKeyFile } from './keyFile.ts';
import { createWrappedKeyFile, readWrappedKeyFile, type ScryptParams } from './wrappedKey.ts';

/** Shortest passphrase accepted when a key is first wrapped. */
export const MIN_PASSPHRASE_LENGTH = 8;

export type KeyMode = 'key-file' | 'passphrase';

export interface DataKeyRequest {
  layout: DataLayout;
  passphrase: string | undefined;
  /** Whether a database file already exists (then a key must exist too). */
  dbExists: boolean;
  /** KDF cost for a newly wrapped key (tests lower it). */
  scrypt?: ScryptParams;
}

/** Which kind of key file the folder holds, or 'none'. @throws StorageError when both exist. */
export function keyMode(layout: DataLayout): KeyMode | 'none' {
  const plain = existsSync(layout.keyFile);
  const wrapped = existsSync(layout.wrappedKeyFile);
  if (plain && wrapped) {
    throw unlockError(
      `both ${layout.keyFile} and ${layout.wrappedKeyFile} exist; keep only the one you use ` +
        '(an interrupted "foyer key wrap" or "foyer key unwrap" can leave both)',
    );
  }
  if (plain) return 'key-file';
  if (wrapped) return 'passphrase';
  return 'none';
}

/** Checks a passphrase chosen for a new wrapped key. @throws StorageError usage */
export function checkNewPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new StorageError(
      'usage',
      `the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`,
    );
  }
}

/**
 * Returns the existing data key.
 * @throws StorageError locked with a "cannot unlock the database:" message saying what to check.
 */
export function loadDataKey(req: DataKeyRequest): Uint8Array {
  const { layout, passphrase } = req;
  const mode = keyMode(layout);
  if (mode === 'passphrase') {
    if (passphrase === undefined) {
      throw unlockError(
        `the data key is protected by a passphrase (${layout.wrappedKeyFile}); ` +
          'set FOYER_DATA_PASSPHRASE, or run the command in a terminal to be asked for it',
      );
    }
    return readWrappedKeyFile(layout.wrappedKeyFile, passphrase);
  }
  if (mode === 'key-file') {
    if (passphrase !== undefined) {
      throw unlockError(
        `a passphrase is set (FOYER_DATA_PASSPHRASE) but the data key is in the plain key file ${layout.keyFile}; ` +
          'unset FOYER_DATA_PASSPHRASE, or run "foyer key wrap" to protect the key with the passphrase',
      );
    }
    return readKeyFile(layout.keyFile);
  }
  throw unlockError(
    `the key file ${layout.keyFile} is missing. The database cannot be read without it: ` +
      'restore foyer.key (or foyer.key.wrapped) from your backup into the data folder, and check ' +
      'that --data / FOYER_DATA points at the right folder. Foyer never creates a new key for an existing database',
  );
}

/**
 * Returns the data key, creating the data folder (0700) and a new key file when neither a
 * database nor a key exists.
 * @throws StorageError locked as loadDataKey, usage for a too-short new passphrase.
 */
export function loadOrCreateDataKey(req: DataKeyRequest): { key: Uint8Array; created: boolean } {
  const { layout, passphrase } = req;
  if (!existsSync(layout.dir)) mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  if (req.dbExists || keyMode(layout) !== 'none') return { key: loadDataKey(req), created: false };
  if (passphrase !== undefined) checkNewPassphrase(passphrase);
  const key = new Uint8Array(randomBytes(DATA_KEY_LENGTH));
  if (passphrase === undefined) createKeyFile(layout.keyFile, key);
  else createWrappedKeyFile(layout.wrappedKeyFile, key, passphrase, req.scrypt);
  return { key, created: true };
}
