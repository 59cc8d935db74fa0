/**
 * The plain key file (default mode): the 32-byte data key as JSON, readable by the owner
 * only. Whoever holds this file and the database can read the database, so it is backed
 * up separately from the data.
 */
import { readFileSync } from 'node:fs';
import { unlockError } from './errors.ts';
import { writeFileExclusive } from './atomicFile.ts';

export const DATA_KEY_LENGTH = 32;
const KEY_FILE_VERSION = 1;
const HEX_KEY_RE = /^[0-9a-f]{64}$/;

/** Serialises a data key for the key file. */
export function encodeKeyFile(key: Uint8Array): string {
  const hex = Buffer.from(key).toString('hex');
  return `${JSON.stringify({ version: KEY_FILE_VERSION, key: hex })}\n`;
}

/**
 * Parses a key file's text.
 * @throws StorageError locked when the text is not a version-1 Foyer key file.
 */
export function decodeKeyFile(text: string, path: string): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw unlockError(
      `the key file ${path} is damaged (${(err as Error).message}); restore it from your backup`,
    );
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    (parsed as { version?: unknown }).version !== KEY_FILE_VERSION ||
    typeof (parsed as { key?: unknown }).key !== 'string' ||
    !HEX_KEY_RE.test((parsed as { key: string }).key)
  ) {
    throw unlockError(
      `the key file ${path} is not a version-${KEY_FILE_VERSION} Foyer key file; restore it from your backup`,
    );
  }
  return new Uint8Array(Buffer.from((parsed as { key: string }).key, 'hex'));
}

/**
 * Reads the data key from the key file.
 * @throws StorageError locked when it cannot be read or parsed.
 */
export function readKeyFile(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw unlockError(`cannot read the key file ${path} (${(err as Error).message})`);
  }
  return decodeKeyFile(text, path);
}

/** Creates the key file (mode 0600); never replaces an existing one. */
export function createKeyFile(path: string, key: Uint8Array): void {
  writeFileExclusive(path, encodeKeyFile(key), 0o600);
}
