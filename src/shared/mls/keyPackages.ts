/**
 * Key packages: what a device publishes so others can add it to groups without it being
 * online. The leaf signature key is the device key, so the leaf is bound to the device
 * credential that names it.
 */
import {
  defaultCapabilities,
  generateKeyPackageWithKey,
  type Capabilities,
  type Extension,
  type KeyPackage,
  type Lifetime,
  type PrivateKeyPackage,
} from 'ts-mls';
import { Reader, Writer } from '../protocol/binary.ts';
import { FoyerError } from '../protocol/errors.ts';
import { encodeMls } from './codec.ts';
import { POLICY_EXTENSION_TYPE } from '../governance/policy.ts';
import type { SignatureKeyPair } from './keys.ts';
import { LAST_RESORT_EXTENSION_TYPE } from './lastResort.ts';
import { keyPackageRef } from './refs.ts';
import { getSuite } from './suite.ts';
import { checkLeafCredential, type TrustStore } from './trust.ts';

export { isLastResort, LAST_RESORT_EXTENSION_TYPE } from './lastResort.ts';

/** A device as MLS sees it: its signature key pair and its encoded Foyer credential. */
export interface DeviceKeys {
  signature: SignatureKeyPair;
  /** protocol/credential.ts `encodeCredential` bytes, signed by identity and instance keys. */
  credential: Uint8Array;
}

export interface CreatedKeyPackage {
  /** Encoded MLSMessage (mls_key_package), ready to upload. */
  publicPackage: Uint8Array;
  /** Encoded private keys (versioned, see encodePrivateKeyPackage): store it encrypted. */
  privatePackage: Uint8Array;
  /** The package's RFC 9420 KeyPackageRef, base64url: the id a Welcome names it by. */
  ref: string;
}

export interface KeyPackageOptions {
  /** Adds the RFC 9420 §17.3 last_resort extension: the server keeps handing it out. */
  lastResort?: boolean;
  /** Validity from now; KEY_PACKAGE_LIFETIME_SECONDS by default. */
  lifetimeSeconds?: number;
}

export const KEY_PACKAGE_LIFETIME_SECONDS = 90 * 24 * 3600;
/** Tolerated clock skew: a package is valid from this long before its creation. */
const CLOCK_SKEW_SECONDS = 3600;

const PRIVATE_PACKAGE_VERSION = 1;
const MAX_PRIVATE_KEY_BYTES = 256;

/**
 * Leaf capabilities: ts-mls defaults (with GREASE), basic credentials only, last_resort and
 * the group policy extension (MLS refuses a group-context extension a leaf does not list).
 */
export function foyerCapabilities(): Capabilities {
  const caps = defaultCapabilities();
  return {
    ...caps,
    credentials: caps.credentials.filter((c) => c !== 'x509'),
    extensions: [...caps.extensions, LAST_RESORT_EXTENSION_TYPE, POLICY_EXTENSION_TYPE],
  };
}

function lifetimeFromNow(seconds: number): Lifetime {
  const now = BigInt(Math.floor(Date.now() / 1000));
  return { notBefore: now - BigInt(CLOCK_SKEW_SECONDS), notAfter: now + BigInt(seconds) };
}

/**
 * Builds a ts-mls key package whose leaf key is the device key (no own-credential check).
 * @throws FoyerError crypto_failed when ts-mls refuses the keys
 */
export async function makeLeafKeyPackage(
  device: DeviceKeys,
  options: KeyPackageOptions = {},
): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage }> {
  const suite = await getSuite();
  const extensions: Extension[] = options.lastResort
    ? [{ extensionType: LAST_RESORT_EXTENSION_TYPE, extensionData: new Uint8Array() }]
    : [];
  try {
    return await generateKeyPackageWithKey(
      { credentialType: 'basic', identity: device.credential },
      foyerCapabilities(),
      lifetimeFromNow(options.lifetimeSeconds ?? KEY_PACKAGE_LIFETIME_SECONDS),
      extensions,
      { signKey: device.signature.privateKey, publicKey: device.signature.publicKey },
      suite,
    );
  } catch (err) {
    throw new FoyerError('crypto_failed', `cannot create key package: ${String(err)}`);
  }
}

/**
 * Fails early when our own credential would be refused by the members we meet.
 * @throws FoyerError crypto_failed with the reason
 */
export async function assertOwnCredential(device: DeviceKeys, trust: TrustStore): Promise<void> {
  const check = await checkLeafCredential(
    { credentialType: 'basic', identity: device.credential },
    device.signature.publicKey,
    trust,
  );
  if (!check.ok) throw new FoyerError('crypto_failed', `own credential refused: ${check.reason}`);
}

/**
 * Creates a key package for `device` to upload. Checks first that the device's own credential
 * passes the authentication service, so a broken credential fails here and not in a peer.
 * @throws FoyerError crypto_failed
 */
export async function createKeyPackage(
  device: DeviceKeys,
  trust: TrustStore,
  options: KeyPackageOptions = {},
): Promise<CreatedKeyPackage> {
  await assertOwnCredential(device, trust);
  const { publicPackage, privatePackage } = await makeLeafKeyPackage(device, options);
  return {
    publicPackage: encodeMls({
      version: 'mls10',
      wireformat: 'mls_key_package',
      keyPackage: publicPackage,
    }),
    privatePackage: encodePrivateKeyPackage(privatePackage),
    ref: keyPackageRef(publicPackage),
  };
}

/** Versioned encoding of a key package's private keys (init, leaf HPKE, signature). */
export function encodePrivateKeyPackage(p: PrivateKeyPackage): Uint8Array {
  return new Writer()
    .u8(PRIVATE_PACKAGE_VERSION)
    .bytes(p.initPrivateKey)
    .bytes(p.hpkePrivateKey)
    .bytes(p.signaturePrivateKey)
    .finish();
}

/**
 * Reads what encodePrivateKeyPackage wrote.
 * @throws FoyerError crypto_failed on an unknown version or malformed bytes
 */
export function decodePrivateKeyPackage(bytes: Uint8Array): PrivateKeyPackage {
  try {
    const r = new Reader(bytes, 'private key package');
    const version = r.u8();
    if (version !== PRIVATE_PACKAGE_VERSION) {
      throw new FoyerError('crypto_failed', `unsupported private key package version ${version}`);
    }
    const p: PrivateKeyPackage = {
      initPrivateKey: r.bytes(MAX_PRIVATE_KEY_BYTES),
      hpkePrivateKey: r.bytes(MAX_PRIVATE_KEY_BYTES),
      signaturePrivateKey: r.bytes(MAX_PRIVATE_KEY_BYTES),
    };
    r.end();
    return p;
  } catch (err) {
    if (err instanceof FoyerError && err.code === 'bad_request') {
      throw new FoyerError('crypto_failed', err.message);
    }
    throw err;
  }
}
