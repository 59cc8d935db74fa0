/**
 * The RFC 9420 §17.3 last_resort extension, alone in its module: the server reads it from
 * uploaded key packages without loading ts-mls's key package generation.
 */
import type { KeyPackage } from 'ts-mls';

/** RFC 9420 IANA "MLS Extension Types": last_resort. */
export const LAST_RESORT_EXTENSION_TYPE = 0x000a;

/** True when the key package carries the last_resort extension. */
export function isLastResort(keyPackage: KeyPackage): boolean {
  return keyPackage.extensions.some((e) => e.extensionType === LAST_RESORT_EXTENSION_TYPE);
}
