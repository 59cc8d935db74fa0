/**
 * Key package references (RFC 9420 §5.2): RefHash("MLS 1.0 KeyPackage Reference", KeyPackage),
 * shown as unpadded base64url. A Welcome names its recipients by this reference, so a device
 * finds which stored key package a Welcome is for, and the server indexes uploads by it.
 * Computed synchronously with @noble/hashes so that decoders (the server's inspect) stay sync.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { KeyPackage } from 'ts-mls';
import { composeBufferEncoders, encode } from 'ts-mls/codec/tlsEncoder.js';
import { varLenDataEncoder } from 'ts-mls/codec/variableLength.js';
import { encodeKeyPackage } from 'ts-mls/keyPackage.js';
import { toBase64Url, utf8 } from '../protocol/bytes.ts';

const KEY_PACKAGE_REF_LABEL = utf8('MLS 1.0 KeyPackage Reference');
const encodeRefHashInput = encode(composeBufferEncoders([varLenDataEncoder, varLenDataEncoder]));

/** The raw 32-byte reference of a key package. */
export function keyPackageRefBytes(keyPackage: KeyPackage): Uint8Array {
  return sha256(encodeRefHashInput([KEY_PACKAGE_REF_LABEL, encodeKeyPackage(keyPackage)]));
}

/** The reference of a key package as Foyer shows it (unpadded base64url). */
export function keyPackageRef(keyPackage: KeyPackage): string {
  return toBase64Url(keyPackageRefBytes(keyPackage));
}
