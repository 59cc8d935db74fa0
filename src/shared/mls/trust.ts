/**
 * Foyer's MLS authentication service. ts-mls's default one accepts every credential; this one
 * accepts a leaf only when its basic credential is a Foyer device credential
 * (protocol/credential.ts) that
 *  - names the leaf's own signature key as its device key,
 *  - carries a valid identity-key signature and a valid signature by a trusted instance key
 *    of its domain (the pinned one or one its rotations lead to, asking again once when none
 *    verifies),
 *  - and whose identity key the trust store accepts (pinning, change warnings).
 */
import type { AuthenticationService, Credential } from 'ts-mls';
import {
  checkCredentialSignatures,
  decodeCredential,
  IDENTITY_SIGNATURE_REFUSED,
  type DeviceCredential,
} from '../protocol/credential.ts';
import { equalBytes } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';

export interface TrustStore {
  /**
   * The Ed25519 instance keys trusted for `domain`: the pinned one and those its rotations
   * led to (engine/identity/instanceKeys.ts), current last; empty when unknown.
   */
  instanceKeys(domain: string): Promise<readonly Uint8Array[]>;
  /**
   * Asks again for `domain`'s key, after a credential verified under none of its keys, and
   * follows a rotation signed from a trusted key. Resolves true when a key was learnt.
   * Optional: a store without it never learns a rotated key.
   */
  refreshInstanceKeys?(domain: string): Promise<boolean>;
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
  const bad = await checkInstanceSignatures(decoded, trust);
  if (bad !== undefined) return { ok: false, reason: bad };
  if (!(await trust.acceptIdentity(decoded.user, decoded.domain, decoded.identityKey))) {
    return { ok: false, reason: 'identity key refused by the trust store' };
  }
  return { ok: true, credential: decoded };
}

/**
 * Checks a credential's identity signature and its instance signature against the keys
 * trusted for its domain; when no key verifies it, asks the trust store once to follow a
 * rotation of that instance and checks again.
 * @returns why it is refused, or undefined when it holds
 */
export async function checkInstanceSignatures(
  c: DeviceCredential,
  trust: TrustStore,
): Promise<string | undefined> {
  const keys = await trust.instanceKeys(c.domain);
  const bad = keys.length === 0 ? UNKNOWN_INSTANCE : await checkCredentialSignatures(c, keys);
  if (bad === undefined || bad === IDENTITY_SIGNATURE_REFUSED) return bad;
  if (trust.refreshInstanceKeys === undefined || !(await trust.refreshInstanceKeys(c.domain))) {
    return bad;
  }
  return checkCredentialSignatures(c, await trust.instanceKeys(c.domain));
}

const UNKNOWN_INSTANCE = 'unknown instance key for the domain';

/** The authentication service to install in every ts-mls client config. */
export function foyerAuthService(trust: TrustStore): AuthenticationService {
  return {
    async validateCredential(credential, signaturePublicKey) {
      return (await checkLeafCredential(credential, signaturePublicKey, trust)).ok;
    },
  };
}
