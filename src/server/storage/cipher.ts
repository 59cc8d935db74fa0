/**
 * The one place that keys a connection. Cipher: SQLite3MultipleCiphers' `chacha20`
 * (sqleet: ChaCha20-Poly1305 per page, the library's default, named here so a change of
 * default cannot silently change the format). The 32-byte key is passed raw (`x'…'`),
 * which bypasses the library's PBKDF2: the key is already random.
 */
import type { Db } from './sqlite.ts';

export const CIPHER = 'chacha20';

/** Sets cipher and key; must run before anything reads the database. */
export function applyKey(db: Db, key: Uint8Array): void {
  if (key.length !== 32) throw new RangeError('the data key must be 32 bytes');
  db.pragma(`cipher = '${CIPHER}'`);
  db.pragma(`key = "x'${Buffer.from(key).toString('hex')}'"`);
}
