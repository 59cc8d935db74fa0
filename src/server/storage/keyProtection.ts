/**
 * Switching between key file mode and passphrase mode (`foyer key wrap` / `foyer key
 * unwrap`). The new file is written and checked before the old one is removed, so an
 * interruption leaves both files (reported clearly at the next start), never neither.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { dataLayout } from './layout.ts';
import { StorageError } from './errors.ts';
import { checkNewPassphrase, keyMode } from './dataKey.ts';
import { createKeyFile, readKeyFile } from './keyFile.ts';
import { createWrappedKeyFile, readWrappedKeyFile, type ScryptParams } from './wrappedKey.ts';
import { assertKeyOpensDatabase } from './keyCheck.ts';
import { fsyncDir } from './atomicFile.ts';
import { equalBytes } from '../../shared/protocol/bytes.ts';

function checkAgainstDatabase(db: string, key: Uint8Array, source: string): void {
  if (existsSync(db)) assertKeyOpensDatabase(db, key, source);
}

/**
 * Replaces the key file by a passphrase-wrapped key file.
 * @throws StorageError usage when the folder is not in key file mode or the passphrase is too short;
 *   locked when the key file does not open the database.
 */
export function wrapKeyFile(dataDir: string, passphrase: string, scrypt?: ScryptParams): void {
  const layout = dataLayout(dataDir);
  const mode = keyMode(layout);
  if (mode !== 'key-file') {
    throw new StorageError(
      'usage',
      mode === 'passphrase'
        ? `the data key in ${layout.dir} is already protected by a passphrase`
        : `there is no key file in ${layout.dir}`,
    );
  }
  checkNewPassphrase(passphrase);
  const key = readKeyFile(layout.keyFile);
  checkAgainstDatabase(layout.db, key, layout.keyFile);
  createWrappedKeyFile(layout.wrappedKeyFile, key, passphrase, scrypt);
  if (!equalBytes(readWrappedKeyFile(layout.wrappedKeyFile, passphrase), key)) {
    throw new StorageError(
      'internal',
      `${layout.wrappedKeyFile} does not read back; ${layout.keyFile} was kept`,
    );
  }
  unlinkSync(layout.keyFile);
  fsyncDir(layout.dir);
}

/**
 * Replaces the passphrase-wrapped key file by a plain key file (mode 0600).
 * @throws StorageError usage when the folder is not in passphrase mode; locked on a wrong passphrase.
 */
export function unwrapKeyFile(dataDir: string, passphrase: string): void {
  const layout = dataLayout(dataDir);
  const mode = keyMode(layout);
  if (mode !== 'passphrase') {
    throw new StorageError(
      'usage',
      mode === 'key-file'
        ? `the data key in ${layout.dir} is not protected by a passphrase`
        : `there is no wrapped key file in ${layout.dir}`,
    );
  }
  const key = readWrappedKeyFile(layout.wrappedKeyFile, passphrase);
  checkAgainstDatabase(layout.db, key, `${layout.wrappedKeyFile} and the passphrase`);
  createKeyFile(layout.keyFile, key);
  if (!equalBytes(readKeyFile(layout.keyFile), key)) {
    throw new StorageError(
      'internal',
      `${layout.keyFile} does not read back; ${layout.wrappedKeyFile} was kept`,
    );
  }
  unlinkSync(layout.wrappedKeyFile);
  fsyncDir(layout.dir);
}
