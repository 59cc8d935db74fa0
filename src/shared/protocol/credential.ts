/**
 * The Foyer device credential: what an MLS leaf's basic credential carries as `identity`.
 *
 * It binds `user@domain`, a device id and the device's signature key (the MLS leaf key).
 * - the user's identity key signs the binding, so a server cannot add a ghost device;
 * - the instance key of `domain` signs the binding and the identity signature, so the user
 *   really belongs to that domain.
 * Clients check both (see mls/authService.ts) and pin each user's identity key.
 */
import { Reader, Writer } from './binary.ts';
import { concatBytes, utf8 } from './bytes.ts';
import { FoyerError } from './errors.ts';
import { isDeviceId, isDomain, isUserName } from './names.ts';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, verify } from '../crypto/ed25519.ts';

export const CREDENTIAL_VERSION = 1;
/** Field bounds: a domain is a 253-character host name and an optional `:port`. */
const MAX_USER_BYTES = 32;
const MAX_DOMAIN_BYTES = 260;
const MAX_DEVICE_ID_BYTES = 22;
/** The largest valid encoding: the version, seven length prefixes and every field at its bound. */
export const MAX_CREDENTIAL_BYTES =
  1 +
  7 * 4 +
  MAX_USER_BYTES +
  MAX_DOMAIN_BYTES +
  MAX_DEVICE_ID_BYTES +
  2 * ED25519_PUBLIC_KEY_LENGTH +
  2 * ED25519_SIGNATURE_LENGTH;

const IDENTITY_LABEL = utf8('foyer/v1 device binding\0');
const INSTANCE_LABEL = utf8('foyer/v1 instance attestation\0');

/** The fields both signatures cover. */
export interface DeviceBinding {
  user: string;
  domain: string;
  deviceId: string;
  /** The device's Ed25519 signature key, also its MLS leaf signature key. */
  deviceKey: Uint8Array;
  /** The user's Ed25519 identity key. */
  identityKey: Uint8Array;
}

export interface DeviceCredential extends DeviceBinding {
  identitySignature: Uint8Array;
  instanceSignature: Uint8Array;
}

function encodeBinding(b: DeviceBinding): Uint8Array {
  return new Writer()
    .u8(CREDENTIAL_VERSION)
    .string(b.user)
    .string(b.domain)
    .string(b.deviceId)
    .bytes(b.deviceKey)
    .bytes(b.identityKey)
    .finish();
}

/** Bytes the identity key signs. */
export function identitySignatureInput(b: DeviceBinding): Uint8Array {
  return concatBytes(IDENTITY_LABEL, encodeBinding(b));
}

/** Bytes the instance key signs. */
export function instanceSignatureInput(
  b: DeviceBinding,
  identitySignature: Uint8Array,
): Uint8Array {
  return concatBytes(INSTANCE_LABEL, encodeBinding(b), identitySignature);
}

export function encodeCredential(c: DeviceCredential): Uint8Array {
  return new Writer()
    .u8(CREDENTIAL_VERSION)
    .string(c.user)
    .string(c.domain)
    .string(c.deviceId)
    .bytes(c.deviceKey)
    .bytes(c.identityKey)
    .bytes(c.identitySignature)
    .bytes(c.instanceSignature)
    .finish();
}

/** Parses a credential's structure (not its signatures). @throws FoyerError bad_request */
export function decodeCredential(bytes: Uint8Array): DeviceCredential {
  if (bytes.length > MAX_CREDENTIAL_BYTES) {
    throw new FoyerError('bad_request', 'malformed credential: too long');
  }
  const r = new Reader(bytes, 'credential');
  const version = r.u8();
  if (version !== CREDENTIAL_VERSION) {
    throw new FoyerError('bad_request', `unsupported credential version ${version}`);
  }
  const c: DeviceCredential = {
    user: r.string(MAX_USER_BYTES),
    domain: r.string(MAX_DOMAIN_BYTES),
    deviceId: r.string(MAX_DEVICE_ID_BYTES),
    deviceKey: r.bytes(ED25519_PUBLIC_KEY_LENGTH, true),
    identityKey: r.bytes(ED25519_PUBLIC_KEY_LENGTH, true),
    identitySignature: r.bytes(ED25519_SIGNATURE_LENGTH, true),
    instanceSignature: r.bytes(ED25519_SIGNATURE_LENGTH, true),
  };
  r.end();
  if (!isUserName(c.user) || !isDomain(c.domain) || !isDeviceId(c.deviceId)) {
    throw new FoyerError('bad_request', 'malformed credential: bad user, domain or device id');
  }
  return c;
}

/**
 * Why a credential was refused, or undefined when both signatures hold. The instance
 * signature may be by any of `instanceKeys` (an instance's current key and the keys it
 * rotated away from, shared/protocol/keyRotation.ts).
 */
export async function checkCredentialSignatures(
  c: DeviceCredential,
  instanceKeys: Uint8Array | readonly Uint8Array[],
): Promise<string | undefined> {
  if (!(await verify(c.identityKey, identitySignatureInput(c), c.identitySignature))) {
    return IDENTITY_SIGNATURE_REFUSED;
  }
  const input = instanceSignatureInput(c, c.identitySignature);
  const keys = instanceKeys instanceof Uint8Array ? [instanceKeys] : instanceKeys;
  for (const key of keys) {
    if (await verify(key, input, c.instanceSignature)) return undefined;
  }
  return INSTANCE_SIGNATURE_REFUSED;
}

/** The refusals of {@link checkCredentialSignatures}. */
export const IDENTITY_SIGNATURE_REFUSED = 'identity signature does not verify';
export const INSTANCE_SIGNATURE_REFUSED = 'instance signature does not verify';
