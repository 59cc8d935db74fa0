/**
 * Accounts and devices. The server is the authentication service of its domain: it signs
 * each device credential with the instance key, after checking that the user's identity
 * key signed the same binding (so it can vouch for membership, not forge a device).
 */
import type { Db } from '../storage/sqlite.ts';
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
import { LIVE_USER_SQL } from './userAdmin.ts';

export interface InstanceSigner {
  readonly publicKey: Uint8Array;
  sign(data: Uint8Array): Uint8Array;
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

interface UserRow {
  id: number;
  name: string;
  identity_key: Uint8Array;
  admin: number;
}

export class Accounts {
  private readonly db: Db;
  private readonly config: Config;
  private readonly instance: InstanceSigner;

  constructor(db: Db, config: Config, instance: InstanceSigner) {
    this.db = db;
    this.config = config;
    this.instance = instance;
  }

  /** Redeems an invite into a user with its first device. */
  async register(invite: string, name: string, device: NewDevice): Promise<RegisterResponse> {
    // The invite first: without a valid one, every request gets the same answer.
    checkInvite(this.db, invite);
    const credential = await this.certify(name, device);
    const now = Date.now();
    const admin = this.db.transaction(() => {
      // Removed users (see userAdmin.ts) no longer hold a place.
      const { count } = this.db
        .prepare(`SELECT count(*) AS count FROM users WHERE ${LIVE_USER_SQL}`)
        .get() as { count: number };
      if (count >= this.config.maxUsers) {
        throw new FoyerError(
          'instance_full',
          `this Foyer instance already has its maximum of ${this.config.maxUsers} users`,
        );
      }
      if (
        this.db.prepare(`SELECT 1 FROM users WHERE name = ? AND ${LIVE_USER_SQL}`).get(name) !==
        undefined
      ) {
        throw new FoyerError('name_taken', 'that user name is already taken');
      }
      this.assertNewDevice(device.id);
      const redeemed = redeemInvite(this.db, invite, now);
      const info = this.db
        .prepare('INSERT INTO users (name, identity_key, admin, created_at) VALUES (?, ?, ?, ?)')
        .run(name, device.identityKey, redeemed.admin ? 1 : 0, now);
      this.insertDevice(Number(info.lastInsertRowid), device, credential, now);
      return redeemed.admin;
    })();
    return {
      user: { name, domain: this.config.domain, admin },
      credential: toBase64Url(credential),
      instanceKey: toBase64Url(this.instance.publicKey),
    };
  }

  /** Adds a device to the caller's own account (device linking). */
  async addDevice(caller: Caller, device: NewDevice): Promise<Uint8Array> {
    const user = this.userById(caller.userId);
    if (!equalBytes(user.identity_key, device.identityKey)) {
      throw new FoyerError('forbidden', "the new device's identity key is not this user's");
    }
    const credential = await this.certify(user.name, device);
    this.db.transaction(() => {
      this.assertNewDevice(device.id);
      this.insertDevice(user.id, device, credential, Date.now());
    })();
    return credential;
  }

  listDevices(userId: number): DeviceInfo[] {
    const rows = this.db
      .prepare(
        'SELECT id, credential, created_at, last_seen_at, revoked_at FROM devices WHERE user_id = ? ORDER BY created_at',
      )
      .all(userId) as Array<{
      id: string;
      credential: Uint8Array;
      created_at: number;
      last_seen_at: number | null;
      revoked_at: number | null;
    }>;
    return rows.map((r) => ({
      id: r.id,
      credential: toBase64Url(r.credential),
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
      revoked: r.revoked_at !== null,
    }));
  }

  /**
   * Revokes one of the caller's devices: its sessions and key packages go at once. The
   * caller then drops its mailbox and sockets.
   */
  revokeDevice(caller: Caller, deviceId: string): void {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT user_id FROM devices WHERE id = ?').get(deviceId) as
        { user_id: number } | undefined;
      if (row === undefined || row.user_id !== caller.userId) {
        throw new FoyerError('not_found', 'no such device on this account');
      }
      revokeDeviceRows(this.db, deviceId, Date.now());
    })();
  }

  userInfo(name: string): UserInfo {
    const user = this.db
      .prepare(
        `SELECT id, name, identity_key, admin FROM users WHERE name = ? AND ${LIVE_USER_SQL}`,
      )
      .get(name) as UserRow | undefined;
    if (user === undefined) throw new FoyerError('not_found', 'no such user on this instance');
    const devices = this.db
      .prepare(
        'SELECT id, credential FROM devices WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at',
      )
      .all(user.id) as Array<{ id: string; credential: Uint8Array }>;
    return {
      name: user.name,
      domain: this.config.domain,
      identityKey: toBase64Url(user.identity_key),
      devices: devices.map((d) => ({ id: d.id, credential: toBase64Url(d.credential) })),
    };
  }

  /** Live (not revoked) device ids of a user, by name. */
  liveDevices(name: string): string[] {
    return (
      this.db
        .prepare(
          'SELECT d.id FROM devices d JOIN users u ON u.id = d.user_id WHERE u.name = ? AND u.removed_at IS NULL AND d.revoked_at IS NULL',
        )
        .all(name) as Array<{ id: string }>
    ).map((r) => r.id);
  }

  /** The user owning a live device of this instance (the hub's check on added members). */
  liveDeviceUser(deviceId: string): string | undefined {
    const row = this.db
      .prepare(
        'SELECT u.name FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ? AND d.revoked_at IS NULL AND u.removed_at IS NULL',
      )
      .get(deviceId) as { name: string } | undefined;
    return row?.name;
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
    if (this.db.prepare('SELECT 1 FROM devices WHERE id = ?').get(id) !== undefined) {
      throw new FoyerError('device_exists', 'a device with this id already exists');
    }
  }

  private insertDevice(userId: number, d: NewDevice, credential: Uint8Array, now: number): void {
    this.db
      .prepare(
        'INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(d.id, userId, d.signatureKey, credential, now);
  }

  private userById(id: number): UserRow {
    const user = this.db
      .prepare('SELECT id, name, identity_key, admin FROM users WHERE id = ?')
      .get(id) as UserRow | undefined;
    if (user === undefined) throw new FoyerError('not_found', 'no such user');
    return user;
  }
}
