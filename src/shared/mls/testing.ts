/**
 * Test helpers (for tests only, never for production paths): valid Foyer device credentials
 * signed by a test instance key, and an in-memory trust store.
 */
import { randomBytes, toBase64Url } from '../protocol/bytes.ts';
import {
  decodeCredential,
  encodeCredential,
  instanceSignatureInput,
  type DeviceBinding,
  type DeviceCredential,
} from '../protocol/credential.ts';
import type { DeviceKeys } from './keyPackages.ts';
import {
  generateSignatureKeyPair,
  signBytes,
  signDeviceBinding,
  type SignatureKeyPair,
} from './keys.ts';
import type { TrustStore } from './trust.ts';
import { createCommit, type Proposal } from 'ts-mls';
import { decodeMlsAs, encodeMls } from './codec.ts';
import { withConfig } from './config.ts';
import type { Group, GroupContextDeps } from './groupTypes.ts';
import { getSuite } from './suite.ts';

export interface TestInstance {
  domain: string;
  key: SignatureKeyPair;
}

export interface TestIdentity {
  user: string;
  domain: string;
  deviceId: string;
  /** The device key (also its MLS leaf key). */
  device: SignatureKeyPair;
  /** The user's identity key. */
  identity: SignatureKeyPair;
  /** Encoded credential (what an MLS leaf carries). */
  credential: Uint8Array;
  /** The same credential, decoded. */
  decoded: DeviceCredential;
  /** The device as the MLS API takes it. */
  me: DeviceKeys;
}

/** A test instance: a domain and its Ed25519 instance key. */
export async function makeTestInstance(domain = 'maison.example'): Promise<TestInstance> {
  return { domain, key: await generateSignatureKeyPair() };
}

/**
 * A device with a valid credential: signed by `identityKey` (new unless given: pass the same
 * one for several devices of one user) and by `instanceKey`.
 */
export async function makeTestIdentity(opts: {
  user: string;
  domain: string;
  instanceKey: SignatureKeyPair;
  identityKey?: SignatureKeyPair;
  deviceId?: string;
}): Promise<TestIdentity> {
  const device = await generateSignatureKeyPair();
  const identity = opts.identityKey ?? (await generateSignatureKeyPair());
  const binding: DeviceBinding = {
    user: opts.user,
    domain: opts.domain,
    deviceId: opts.deviceId ?? toBase64Url(randomBytes(16)),
    deviceKey: device.publicKey,
    identityKey: identity.publicKey,
  };
  const identitySignature = await signDeviceBinding(identity, binding);
  const instanceSignature = await signBytes(
    opts.instanceKey,
    instanceSignatureInput(binding, identitySignature),
  );
  const credential = encodeCredential({ ...binding, identitySignature, instanceSignature });
  return {
    user: binding.user,
    domain: binding.domain,
    deviceId: binding.deviceId,
    device,
    identity,
    credential,
    decoded: decodeCredential(credential),
    me: { signature: device, credential },
  };
}

export interface MemoryTrustStore extends TrustStore {
  /** Pinned identity keys by `user@domain` (trust on first use). */
  readonly pins: Map<string, Uint8Array>;
  /** Number of acceptIdentity calls, to show a check really ran. */
  readonly calls: { acceptIdentity: number };
}

/**
 * A trust store that knows the given instances' keys and pins each user's identity key on
 * first use, refusing a different key afterwards.
 */
export function memoryTrustStore(
  ...instances: Array<{ domain: string; publicKey: Uint8Array }>
): MemoryTrustStore {
  const keys = new Map(instances.map((i) => [i.domain, i.publicKey]));
  const pins = new Map<string, Uint8Array>();
  const calls = { acceptIdentity: 0 };
  return {
    pins,
    calls,
    async instanceKeys(domain) {
      const key = keys.get(domain);
      return key === undefined ? [] : [key];
    },
    async acceptIdentity(user, domain, identityKey) {
      calls.acceptIdentity++;
      const id = `${user}@${domain}`;
      const pinned = pins.get(id);
      if (pinned === undefined) {
        pins.set(id, identityKey.slice());
        return true;
      }
      return pinned.length === identityKey.length && pinned.every((b, i) => b === identityKey[i]);
    },
  };
}

/**
 * A commit with arbitrary proposals and none of Foyer's checks, as a modified (hostile)
 * client would build it: for tests that members and the hub refuse it.
 */
export async function unsafeUncheckedCommit(
  g: Group,
  proposals: Proposal[],
  deps: GroupContextDeps,
): Promise<{ commit: Uint8Array; welcome?: Uint8Array }> {
  const result = await createCommit(
    { state: withConfig(g.state, deps.trust), cipherSuite: await getSuite() },
    { extraProposals: proposals, wireAsPublicMessage: true, ratchetTreeExtension: true },
  );
  const commit = encodeMls(result.commit);
  if (result.welcome === undefined) return { commit };
  return {
    commit,
    welcome: encodeMls({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome }),
  };
}

/** Removes of `leaves` as proposals, for unsafeUncheckedCommit. */
export function removeProposals(leaves: number[]): Proposal[] {
  return leaves.map((removed) => ({ proposalType: 'remove', remove: { removed } }));
}

/** Adds of encoded key packages as proposals, for unsafeUncheckedCommit. */
export function addProposals(keyPackages: Uint8Array[]): Proposal[] {
  return keyPackages.map((bytes) => ({
    proposalType: 'add',
    add: { keyPackage: decodeMlsAs(bytes, 'mls_key_package', 'kp', 'bad_request').keyPackage },
  }));
}

/** Shorthand: a trust store trusting one test instance. */
export function trustInstance(instance: TestInstance): MemoryTrustStore {
  return memoryTrustStore({ domain: instance.domain, publicKey: instance.key.publicKey });
}

export interface TestHousehold {
  instance: TestInstance;
  trust: MemoryTrustStore;
  /** One device per name, in order. */
  devices: TestIdentity[];
}

/** An instance, a trust store trusting it, and one device per user name. */
export async function makeTestHousehold(
  users: string[],
  domain = 'maison.example',
): Promise<TestHousehold> {
  const instance = await makeTestInstance(domain);
  const devices: TestIdentity[] = [];
  for (const user of users) {
    devices.push(await makeTestIdentity({ user, domain, instanceKey: instance.key }));
  }
  return { instance, trust: trustInstance(instance), devices };
}
