/**
 * Ed25519 key pairs in the form ts-mls signs with, so one key serves both Foyer's own
 * signatures (session challenges, device bindings) and the device's MLS leaf.
 */
import { identitySignatureInput, type DeviceBinding } from '../protocol/credential.ts';
import { FoyerError } from '../protocol/errors.ts';
import { getSuite } from './suite.ts';

export interface SignatureKeyPair {
  /** Raw 32-byte Ed25519 public key (the MLS leaf `signature_key`). */
  publicKey: Uint8Array;
  /** PKCS#8 private key as ts-mls's signer takes it. Secret: encrypt before storing. */
  privateKey: Uint8Array;
}

/** Generates an Ed25519 key pair, for a device key or a user's identity key alike. */
export async function generateSignatureKeyPair(): Promise<SignatureKeyPair> {
  const suite = await getSuite();
  const { publicKey, signKey } = await suite.signature.keygen();
  return { publicKey, privateKey: signKey };
}

/**
 * Signs `message` with plain Ed25519 (no MLS label): verifies with crypto/ed25519.ts `verify`.
 * @throws FoyerError crypto_failed when the private key is unusable
 */
export async function signBytes(key: SignatureKeyPair, message: Uint8Array): Promise<Uint8Array> {
  const suite = await getSuite();
  try {
    return await suite.signature.sign(key.privateKey, message);
  } catch (err) {
    throw new FoyerError('crypto_failed', `cannot sign: ${String(err)}`);
  }
}

/**
 * The identity key's signature over a device binding (credential.ts `identitySignatureInput`).
 * @throws FoyerError crypto_failed when the private key is unusable
 */
export function signDeviceBinding(
  identityKey: SignatureKeyPair,
  binding: DeviceBinding,
): Promise<Uint8Array> {
  return signBytes(identityKey, identitySignatureInput(binding));
}
