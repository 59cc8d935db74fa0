/**
 * Ed25519 signatures through WebCrypto (Node ≥ 22 and Chromium ≥ 137 have it).
 * Imported keys are kept as CryptoKey objects: re-importing a key for every signature
 * costs several times the signature itself.
 */
import { FoyerError } from '../protocol/errors.ts';
import type { CryptoKeyHandle, CryptoKeyPairHandle } from './webcrypto.ts';

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

export interface SigningKeyPair {
  /** Raw 32-byte public key. */
  readonly publicKey: Uint8Array;
  /** PKCS#8 private key, for storage (encrypt it before it touches a disk). */
  readonly privateKeyPkcs8: Uint8Array;
  readonly privateKey: CryptoKeyHandle;
}

const ALG = { name: 'Ed25519' } as const;

export async function generateSigningKeyPair(): Promise<SigningKeyPair> {
  const pair = (await crypto.subtle.generateKey(ALG, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPairHandle;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const privateKeyPkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  return { publicKey, privateKeyPkcs8, privateKey: pair.privateKey };
}

/** Rebuilds a key pair from its stored PKCS#8 form. @throws FoyerError crypto_failed */
export async function importSigningKeyPair(
  privateKeyPkcs8: Uint8Array,
  publicKey: Uint8Array,
): Promise<SigningKeyPair> {
  try {
    const privateKey = await crypto.subtle.importKey(
      'pkcs8',
      privateKeyPkcs8 as Uint8Array<ArrayBuffer>,
      ALG,
      false,
      ['sign'],
    );
    return { publicKey, privateKeyPkcs8, privateKey };
  } catch (err) {
    throw new FoyerError('crypto_failed', `cannot import signing key: ${String(err)}`);
  }
}

export async function sign(key: SigningKeyPair, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.sign(ALG, key.privateKey, message as Uint8Array<ArrayBuffer>),
  );
}

const verifyKeyCache = new Map<string, CryptoKeyHandle>();
const VERIFY_CACHE_MAX = 1024;

async function verifyKey(publicKey: Uint8Array): Promise<CryptoKeyHandle> {
  const id = publicKey.join(',');
  let key = verifyKeyCache.get(id);
  if (key === undefined) {
    key = await crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, ALG, false, [
      'verify',
    ]);
    if (verifyKeyCache.size >= VERIFY_CACHE_MAX) verifyKeyCache.clear();
    verifyKeyCache.set(id, key);
  }
  return key;
}

/** Verifies an Ed25519 signature. Returns false (never throws) on any malformed input. */
export async function verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
  if (signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  try {
    return await crypto.subtle.verify(
      ALG,
      await verifyKey(publicKey),
      signature as Uint8Array<ArrayBuffer>,
      message as Uint8Array<ArrayBuffer>,
    );
  } catch {
    // A public key off the curve makes importKey throw: that is a failed verification.
    return false;
  }
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}
