/**
 * Extra certificate authorities for HTTPS to peer instances (configuration `federationCa`):
 * a household or a test network with its own authority is trusted beside the system's roots,
 * without turning certificate checks off.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { FoyerError } from '../../shared/protocol/errors.ts';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The certificates of a PEM file, each checked to parse and to be a certificate authority.
 * @throws FoyerError usage when the file cannot be read, holds no certificate, or one is not a CA
 */
export function readCaFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FoyerError('usage', `cannot read federationCa ${path}: ${(err as Error).message}`);
  }
  const pems = text.match(PEM_BLOCK) ?? [];
  if (pems.length === 0) {
    throw new FoyerError('usage', `federationCa ${path} holds no PEM certificate`);
  }
  for (const pem of pems) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (err) {
      throw new FoyerError(
        'usage',
        `federationCa ${path}: a certificate does not parse: ${(err as Error).message}`,
      );
    }
    if (!cert.ca) {
      throw new FoyerError(
        'usage',
        `federationCa ${path}: ${cert.subject.replaceAll('\n', ', ')} is not a certificate authority`,
      );
    }
  }
  return pems;
}

/**
 * Adds the authorities of `path` to the ones this process trusts for outgoing HTTPS.
 *
 * Why process-wide: federation requests use the built-in `fetch`, which takes its trust from
 * the process's default CA list and accepts no per-request authority. The server process runs
 * one instance, so its other outgoing HTTPS (ACME) trusting the same extra authority is what
 * an administrator who names one expects.
 * @throws FoyerError usage (see {@link readCaFile})
 */
export function trustExtraCa(path: string): number {
  const pems = readCaFile(path);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ...pems]);
  return pems.length;
}
