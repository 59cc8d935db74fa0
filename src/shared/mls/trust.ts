/**
 * Foyer's MLS authentication service. ts-mls's default one accepts every credential; this one
 * accepts a leaf only when its basic credential is a Foyer device credential
 * (protocol/credential.ts) that
 *  - names the leaf's own signature key as its device key,
 *  - carries a valid identity-key signature and a valid signature by the pinned instance key
 *    of its domain,
 *  - and whose identity key the trust store accepts (pinning, change warnings).
 */
import type { AuthenticationService, Credential } from 'ts-mls';
import {
  checkCredentialSignatures,
  decodeCredential,
  type DeviceCredential,
} from '../protocol/credential.ts';
import { equalBytes } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';

export interface TrustStore {
  /** The pinned Ed25519 instance key of `domain`, or undefined when unknown. */
  instanceKey(domain: string): Promise<Uint8Array | undefined>;
  /** Called for every credential whose signatures verified. Return false to refuse it
   *  (e.g. the user's identity key differs from the pinned one and was not accepted). */
  acceptIdentity(user: string, domain: string, identityKey: Uint8Array): Promise<boolean>;
}

export type CredentialCheck =
  { ok: true; credential: DeviceCredential } | { ok: false; reason: string };

/**
 * Decodes a leaf's MLS credential as a Foyer device credential without checking it.
 * @throws FoyerError bad_request when it is not a well-formed basic Foyer credential
 */
export function deviceCredentialOf(credential: Credential): DeviceCredential {
  if (credential.credentialType !== 'basic') {
    throw new FoyerError('bad_request', `unsupported credential type ${credential.credentialType}`);
  }
  return decodeCredential(credential.identity);
}

/**
 * Checks a leaf credential the way the authentication service does, and says why it is
 * refused. Never throws for a bad credential; a trust store failure (e.g. an instance key
 * that cannot be fetched) propagates, so it is not mistaken for a forgery.
 */
export async function checkLeafCredential(
  credential: Credential,
  signaturePublicKey: Uint8Array,
  trust: TrustStore,
): Promise<CredentialCheck> {
  if (credential.credentialType !== 'basic') {
    return { ok: false, reason: 'not a basic credential' };
  }
  let decoded: DeviceCredential;
  try {
    decoded = decodeCredential(credential.identity);
  } catch (err) {
    if (err instanceof FoyerError) return { ok: false, reason: err.message };
    throw err;
  }
  if (!equalBytes(decoded.deviceKey, signaturePublicKey)) {
    return { ok: false, reason: 'device key differs from the leaf signature key' };
  }
  const instanceKey = await trust.instanceKey(decoded.domain);
  if (instanceKey === undefined) {
    return { ok: false, reason: 'unknown instance key for the domain' };
  }
  const bad = await checkCredentialSignatures(decoded, instanceKey);
  if (bad !== undefined) return { ok: false, reason: bad };
  if (!(await trust.acceptIdentity(decoded.user, decoded.domain, decoded.identityKey))) {
    return { ok: false, reason: 'identity key refused by the trust store' };
  }
  return { ok: true, credential: decoded };
}

/** The authentication service to install in every ts-mls client config. */
export function foyerAuthService(trust: TrustStore): AuthenticationService {
  return {
    async validateCredential(credential, signaturePublicKey) {
      return (await checkLeafCredential(credential, signaturePublicKey, trust)).ok;
    },
  };
}
