/**
 * The `local` HTTPS mode at start: the household's certificate authority (made on the first
 * start, then read from the database) and a fresh server certificate from it for the
 * configured names. The server certificate is not stored: issuing one takes milliseconds, and
 * devices trust the authority, not the certificate.
 */
import type { Config } from '../config.ts';
import { listSetting } from '../config.ts';
import type { Db } from '../storage/sqlite.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { directWrite } from '../storage/tx.ts';
import { saveAuthority, storedAuthority } from './store.ts';
import {
  authorityDownload,
  createAuthority,
  issueServerCertificate,
  uncoveredNames,
  type Authority,
} from './localCa.ts';
import type { KeyPair } from './certStore.ts';

/** The names the server certificate covers: the public URL's host, `NAME.local` when announced, `tlsNames`. */
export function localNames(config: Config): string[] {
  const host = new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const names = [host];
  if (config.lanAnnounce) names.push(`${config.lanName.toLowerCase()}.local`);
  names.push(...listSetting(config.tlsNames));
  return [...new Set(names)];
}

export interface LocalTls {
  authority: Authority;
  /** What devices download: DER bytes, PEM text, SHA-256 fingerprint. */
  download: { der: Uint8Array; pem: string; fingerprint: string };
  names: string[];
  created: boolean;
  pair: KeyPair;
  issue(): Promise<KeyPair>;
}

/**
 * The authority (created and stored when absent) and a server certificate from it.
 * @throws FoyerError usage when a configured name lies outside what the stored authority may
 * vouch for (devices would refuse the certificate).
 */
export async function prepareLocal(config: Config, db: Db): Promise<LocalTls> {
  const names = localNames(config);
  const stored = storedAuthority(db);
  const created = stored === undefined;
  const authority = stored ?? (await createAuthority(names));
  // Checked before a new authority is stored: a refused start leaves nothing behind.
  const outside = await uncoveredNames(authority, names);
  if (outside.length > 0) {
    throw new FoyerError(
      'usage',
      `the local certificate authority may vouch only for .local names, private addresses and the ` +
        `names it was made for; ${outside.join(', ')} is not among them. Use a .local name or a ` +
        `private address, or the "acme" or "files" mode for a public name`,
    );
  }
  const ca = created
    ? directWrite(db, (tx) => saveAuthority(db, tx, authority, Date.now()))
    : authority;
  const issue = (): Promise<KeyPair> => issueServerCertificate(ca, names);
  const { der, fingerprint } = authorityDownload(ca.certPem);
  return {
    authority: ca,
    download: { der, pem: ca.certPem, fingerprint },
    names,
    created,
    pair: await issue(),
    issue,
  };
}
