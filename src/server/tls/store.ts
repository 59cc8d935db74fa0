/**
 * The query layer of the local certificate authority. It is kept: in the encrypted database (table
 * `local_ca`), not in a file, so that its key is protected like the rest of the data (by the
 * data key, itself possibly under a passphrase) and is part of every backup. See
 * docs/threat-model.md, "Local certificate authority".
 */
import type { Db } from '../storage/sqlite.ts';
import type { WriteTx } from '../storage/tx.ts';
import type { Authority } from './localCa.ts';

/** The stored authority, or undefined before the first start in `local` mode. */
export function storedAuthority(db: Db): Authority | undefined {
  const row = db.prepare('SELECT cert_pem, key_pem FROM local_ca WHERE id = 1').get() as
    { cert_pem: string; key_pem: string } | undefined;
  return row === undefined ? undefined : { certPem: row.cert_pem, keyPem: row.key_pem };
}

/**
 * Stores a new authority unless one exists (two processes racing keep the first).
 * @returns the authority now stored
 */
export function saveAuthority(db: Db, _tx: WriteTx, ca: Authority, now: number): Authority {
  db.prepare(
    'INSERT OR IGNORE INTO local_ca (id, cert_pem, key_pem, created_at) VALUES (1, ?, ?, ?)',
  ).run(ca.certPem, ca.keyPem, now);
  return storedAuthority(db)!;
}
