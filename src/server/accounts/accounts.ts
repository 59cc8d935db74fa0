/**
 * Accounts and devices. The server is the authentication service of its domain: it signs
 * each device credential with the instance key, after checking that the user's identity
 * key signed the same binding (so it can vouch for membership, not forge a device).
 */
import type { WriteTx } from '../storage/tx.ts';
import type { Writer } from '../writer.ts';
import type { Config } from '../config.ts';
import type { DeviceInfo, RegisterResponse, UserInfo } from '../../shared/protocol/api.ts';
import {
  encodeCredential,
  identitySignatureInput,
  instanceSignatureInput,
  type DeviceBinding,
} from '../../shared/protocol/credential.ts';
import { verify } from '../../shared/crypto/ed25519.ts';
import { equalBytes, toBase64Url } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { checkInvite, redeemInvite } from './invites.ts';
import { revokeDeviceRows } from './revocations.ts';
import type { AccountStores } from './store/index.ts';
import type { KeyRotation } from '../../shared/protocol/keyRotation.ts';

export interface InstanceSigner {
  /** The current key (it changes when an administrator rotates it). */
  readonly publicKey: Uint8Array;
  sign(data: Uint8Array): Uint8Array;
  /** The key's rotations, oldest first (storage/instance.ts); none when absent. */
  rotations?(): KeyRotation[];
}

export interface NewDevice {
  id: string;
  signatureKey: Uint8Array;
  identityKey: Uint8Array;
  identitySignature: Uint8Array;
}

/** The authenticated caller of a request. */
export interface Caller {
  deviceId: string;
  userId: number;
  userName: string;
}

export class Accounts {
  private readonly stores: AccountStores;
  private readonly writer: Writer;
  private readonly config: Config;
  private readonly instance: InstanceSigner;

  constructor(stores: AccountStores, writer: Writer, config: Config, instance: InstanceSigner) {
    this.stores = stores;
    this.writer = writer;
    this.config = config;
    this.instance = instance;
  }

  /**
   * Redeems an invite into a user with its first device. The invite is redeemed in the same
   * transaction as the checks that may refuse the registration, so a refusal leaves it usable.
   */
  async register(invite: string, name: string, device: NewDevice): Promise<RegisterResponse> {
    // The invite first: without a valid one, every request gets the same answer.
    checkInvite(this.stores.invites, invite);
    const credential = await this.certify(name, device);
    const now = Date.now();
    const { users } = this.stores;
    const admin = await this.writer.run((tx) => {
      // Removed users no longer hold a place.
      if (users.countLive() >= this.config.maxUsers) {
        throw new FoyerError(
          'instance_full',
          `this Foyer instance already has its maximum of ${this.config.maxUsers} users`,
        );
      }
      if (users.liveByName(name) !== undefined) {
        throw new FoyerError('name_taken', 'that user name is already taken');
      }
      this.assertNewDevice(device.id);
      const redeemed = redeemInvite(this.stores.invites, tx, invite, now);
      const userId = users.insertUser(tx, {
        name,
        identityKey: device.identityKey,
        admin: redeemed.admin,
        createdAt: toDay(now),
      });
      this.insertDevice(tx, userId, device, credential, now);
      return redeemed.admin;
    });
    return {
      user: { name, domain: this.config.domain, admin },
      credential: toBase64Url(credential),
      instanceKey: toBase64Url(this.instance.publicKey),
    };
  }

  /** Adds a device to the caller's own account (device linking). */
  async addDevice(caller: Caller, device: NewDevice): Promise<Uint8Array> {
    const user = this.stores.users.byId(caller.userId);
    if (user === undefined) throw new FoyerError('not_found', 'no such user');
    if (!equalBytes(user.identityKey, device.identityKey)) {
      throw new FoyerError('forbidden', "the new device's identity key is not this user's");
    }
    const credential = await this.certify(user.name, device);
    await this.writer.run((tx) => {
      this.assertNewDevice(device.id);
      this.insertDevice(tx, user.id, device, credential, Date.now());
    });
    return credential;
  }

  listDevices(userId: number): DeviceInfo[] {
    return this.stores.users.devicesOf(userId).map((d) => ({
      id: d.id,
      credential: toBase64Url(d.credential),
      createdAt: d.createdAt,
      lastSeenAt: d.lastSeenAt,
      revoked: d.revokedAt !== null,
    }));
  }

  /**
   * Revokes one of the caller's devices: its sessions and key packages go at once. The
   * caller then drops its mailbox and sockets.
   */
  async revokeDevice(caller: Caller, deviceId: string): Promise<void> {
    await this.writer.run((tx) => {
      const device = this.stores.users.device(deviceId);
      if (device === undefined || device.userId !== caller.userId) {
        throw new FoyerError('not_found', 'no such device on this account');
      }
      revokeDeviceRows(this.stores, tx, deviceId, Date.now());
    });
  }

  userInfo(name: string): UserInfo {
    const user = this.stores.users.liveByName(name);
    if (user === undefined) throw new FoyerError('not_found', 'no such user on this instance');
    return {
      name: user.name,
      domain: this.config.domain,
      identityKey: toBase64Url(user.identityKey),
      devices: this.stores.users
        .liveDevicesOfUser(name)
        .map((d) => ({ id: d.id, credential: toBase64Url(d.credential) })),
    };
  }

  /** Live (not revoked) device ids of a user, by name. */
  liveDevices(name: string): string[] {
    return this.stores.users.liveDevicesOfUser(name).map((d) => d.id);
  }

  /** Owner and issued credential of a live device of this instance (the hub's check on adds). */
  liveDevice(deviceId: string): { user: string; credential: Uint8Array } | undefined {
    return this.stores.users.liveDevice(deviceId);
  }

  /** Checks the identity signature and returns the instance-signed credential. */
  private async certify(name: string, device: NewDevice): Promise<Uint8Array> {
    const binding: DeviceBinding = {
      user: name,
      domain: this.config.domain,
      deviceId: device.id,
      deviceKey: device.signatureKey,
      identityKey: device.identityKey,
    };
    const ok = await verify(
      device.identityKey,
      identitySignatureInput(binding),
      device.identitySignature,
    );
    if (!ok) {
      throw new FoyerError(
        'bad_signature',
        'identitySignature does not verify for this user, domain, device and keys',
      );
    }
    const instanceSignature = this.instance.sign(
      instanceSignatureInput(binding, device.identitySignature),
    );
    return encodeCredential({
      ...binding,
      identitySignature: device.identitySignature,
      instanceSignature,
    });
  }

  private assertNewDevice(id: string): void {
    if (this.stores.users.device(id) !== undefined) {
      throw new FoyerError('device_exists', 'a device with this id already exists');
    }
  }

  private insertDevice(
    tx: WriteTx,
    userId: number,
    d: NewDevice,
    credential: Uint8Array,
    now: number,
  ): void {
    this.stores.users.insertDevice(tx, {
      id: d.id,
      userId,
      signatureKey: d.signatureKey,
      credential,
      createdAt: toDay(now),
    });
  }
}

/** Creation times are kept to the day: enough for a device list, not a timeline. */
function toDay(ms: number): number {
  return ms - (ms % (24 * 3600 * 1000));
}
