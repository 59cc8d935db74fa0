/**
 * Where Foyer keeps the certificates it obtains (ACME mode): `DATA/tls/`, mode 0700, with the
 * ACME account key, the certificate chain and its private key (0600). The data folder is the
 * one place Foyer writes, and a restart must find the certificate again instead of asking
 * the certificate authority for a new one (rate limits).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair {
  /** PEM private key. */
  key: string;
  /** PEM certificate chain, leaf first. */
  cert: string;
}

export interface CertInfo {
  notBefore: number;
  notAfter: number;
  serial: string;
  /** DNS names the leaf covers. */
  names: string[];
}

/** Reads the leaf of a PEM chain. @throws Error when it is not a certificate. */
export function certInfo(certPem: string): CertInfo {
  const leaf = new X509Certificate(certPem);
  const names = (leaf.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  return {
    notBefore: Date.parse(leaf.validFrom),
    notAfter: Date.parse(leaf.validTo),
    serial: leaf.serialNumber,
    names,
  };
}

/**
 * When a certificate should be renewed: once two thirds of its lifetime have passed (Let's
 * Encrypt's advice: 30 days before the end of a 90-day certificate), so a failed renewal
 * has a third of the lifetime to be retried.
 */
export function renewAt(info: CertInfo): number {
  return info.notAfter - (info.notAfter - info.notBefore) / 3;
}

export class CertStore {
  readonly dir: string;
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'tls');
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  private write(name: string, text: string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path(name)}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, this.path(name));
  }

  accountKey(): string | undefined {
    return existsSync(this.path('account.key'))
      ? readFileSync(this.path('account.key'), 'utf8')
      : undefined;
  }

  saveAccountKey(pem: string): void {
    this.write('account.key', pem);
  }

  /** The account's URL at the authority, once registered. */
  accountUrl(): string | undefined {
    return existsSync(this.path('account.url'))
      ? readFileSync(this.path('account.url'), 'utf8').trim()
      : undefined;
  }

  saveAccountUrl(url: string): void {
    this.write('account.url', `${url}\n`);
  }

  /** The stored certificate and key, or undefined when absent. */
  pair(): KeyPair | undefined {
    if (!existsSync(this.path('cert.pem')) || !existsSync(this.path('key.pem'))) return undefined;
    return {
      cert: readFileSync(this.path('cert.pem'), 'utf8'),
      key: readFileSync(this.path('key.pem'), 'utf8'),
    };
  }

  /** Key first: a crash between the two leaves a pair that fails to load, never a mismatch served. */
  savePair(pair: KeyPair): void {
    this.write('key.pem', pair.key);
    this.write('cert.pem', pair.cert);
  }
}
