/**
 * The query layer of users and their devices: every SQL statement on `users` and `devices`.
 * Reads are plain methods; writes take the `WriteTx` of the transaction they belong to.
 * A removed user keeps its row (its revoked devices still point at it) with `removed_at`
 * set; "live" below means not removed (users) or not revoked (devices).
 */
import { statementCache, type Db, type Statement } from '../../storage/sqlite.ts';
import type { WriteTx } from '../../storage/tx.ts';

export interface UserRow {
  id: number;
  name: string;
  identityKey: Uint8Array;
  admin: boolean;
  createdAt: number;
}

export interface DeviceRow {
  id: string;
  userId: number;
  signatureKey: Uint8Array;
  credential: Uint8Array;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

/** A live user as the admin commands list it: counts only, no keys. */
export interface UserSummaryRow {
  name: string;
  admin: boolean;
  createdAt: number;
  /** Devices not revoked. */
  devices: number;
  /** Present when the user is disabled (`foyer user disable`): no login, data kept. */
  disabled?: true;
}

const LIVE = 'removed_at IS NULL';
const USER_COLUMNS = 'id, name, identity_key, admin, created_at';
const DEVICE_COLUMNS =
  'id, user_id, signature_key, credential, created_at, last_seen_at, revoked_at';
const SUMMARY = `SELECT u.name, u.admin, u.created_at, u.disabled_at IS NOT NULL AS disabled,
       count(d.id) AS devices
  FROM users u LEFT JOIN devices d ON d.user_id = u.id AND d.revoked_at IS NULL
 WHERE u.${LIVE}`;

type RawUser = {
  id: number;
  name: string;
  identity_key: Uint8Array;
  admin: number;
  created_at: number;
};
type RawDevice = {
  id: string;
  user_id: number;
  signature_key: Uint8Array;
  credential: Uint8Array;
  created_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
};
type RawSummary = {
  name: string;
  admin: number;
  created_at: number;
  devices: number;
  disabled: number;
};

const user = (r: RawUser | undefined): UserRow | undefined =>
  r === undefined
    ? undefined
    : {
        id: r.id,
        name: r.name,
        identityKey: r.identity_key,
        admin: r.admin === 1,
        createdAt: r.created_at,
      };
const device = (r: RawDevice): DeviceRow => ({
  id: r.id,
  userId: r.user_id,
  signatureKey: r.signature_key,
  credential: r.credential,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
});
const summary = (r: RawSummary): UserSummaryRow => ({
  name: r.name,
  admin: r.admin === 1,
  createdAt: r.created_at,
  devices: r.devices,
  ...(r.disabled === 1 ? { disabled: true as const } : {}),
});
const count = (s: Statement, ...params: unknown[]): number =>
  (s.get(...params) as { n: number | null }).n ?? 0;

export class UserStore {
  private readonly q: (sql: string) => Statement;

  constructor(db: Db) {
    this.q = statementCache(db);
  }

  // Users.

  countLive(): number {
    return count(this.q(`SELECT count(*) AS n FROM users WHERE ${LIVE}`));
  }

  countLiveAdmins(): number {
    return count(this.q(`SELECT count(*) AS n FROM users WHERE admin = 1 AND ${LIVE}`));
  }

  countRemoved(): number {
    return count(this.q(`SELECT count(*) AS n FROM users WHERE NOT (${LIVE})`));
  }

  liveByName(name: string): UserRow | undefined {
    return user(
      this.q(`SELECT ${USER_COLUMNS} FROM users WHERE name = ? AND ${LIVE}`).get(name) as
        RawUser | undefined,
    );
  }

  byId(id: number): UserRow | undefined {
    return user(
      this.q(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id) as RawUser | undefined,
    );
  }

  /** Every live user, by name. */
  summaries(): UserSummaryRow[] {
    return (this.q(`${SUMMARY} GROUP BY u.id ORDER BY u.name`).all() as RawSummary[]).map(summary);
  }

  summary(name: string): UserSummaryRow | undefined {
    const r = this.q(`${SUMMARY} AND u.name = ? GROUP BY u.id`).get(name) as RawSummary | undefined;
    return r === undefined ? undefined : summary(r);
  }

  /** @returns the new user's id */
  insertUser(
    _tx: WriteTx,
    u: { name: string; identityKey: Uint8Array; admin: boolean; createdAt: number },
  ): number {
    const info = this.q(
      'INSERT INTO users (name, identity_key, admin, created_at) VALUES (?, ?, ?, ?)',
    ).run(u.name, u.identityKey, u.admin ? 1 : 0, u.createdAt);
    return Number(info.lastInsertRowid);
  }

  markRemoved(_tx: WriteTx, userId: number, now: number): void {
    this.q('UPDATE users SET removed_at = ? WHERE id = ?').run(now, userId);
  }

  /** Disables (`at`) or enables (null) a user. @returns whether the state changed */
  setDisabled(_tx: WriteTx, userId: number, at: number | null): boolean {
    const sql =
      at === null
        ? 'UPDATE users SET disabled_at = NULL WHERE id = ? AND disabled_at IS NOT NULL'
        : 'UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL';
    const info = at === null ? this.q(sql).run(userId) : this.q(sql).run(at, userId);
    return info.changes > 0;
  }

  isDisabled(userId: number): boolean {
    return (
      this.q('SELECT 1 FROM users WHERE id = ? AND disabled_at IS NOT NULL').pluck().get(userId) ===
      1
    );
  }

  /** Live devices of disabled users (few: a household disables someone rarely). */
  disabledDeviceIds(): string[] {
    return this.q(
      `SELECT d.id FROM devices d JOIN users u ON u.id = d.user_id
        WHERE u.disabled_at IS NOT NULL AND u.${LIVE} AND d.revoked_at IS NULL`,
    )
      .pluck()
      .all() as string[];
  }

  // Devices.

  device(id: string): DeviceRow | undefined {
    const r = this.q(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`).get(id) as
      RawDevice | undefined;
    return r === undefined ? undefined : device(r);
  }

  /** Every device of a user, revoked ones too, oldest first. */
  devicesOf(userId: number): DeviceRow[] {
    return (
      this.q(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE user_id = ? ORDER BY created_at`).all(
        userId,
      ) as RawDevice[]
    ).map(device);
  }

  /** Live devices of a live user, by name, oldest first. */
  liveDevicesOfUser(name: string): DeviceRow[] {
    return (
      this.q(
        `SELECT ${DEVICE_COLUMNS.split(', ')
          .map((c) => `d.${c}`)
          .join(', ')}
           FROM devices d JOIN users u ON u.id = d.user_id
          WHERE u.name = ? AND u.${LIVE} AND d.revoked_at IS NULL ORDER BY d.created_at`,
      ).all(name) as RawDevice[]
    ).map(device);
  }

  /** The live user owning a live device, and the credential issued to that device. */
  liveDevice(deviceId: string): { user: string; credential: Uint8Array } | undefined {
    const r = this.q(
      `SELECT u.name, d.credential FROM devices d JOIN users u ON u.id = d.user_id
        WHERE d.id = ? AND d.revoked_at IS NULL AND u.${LIVE}`,
    ).get(deviceId) as { name: string; credential: Uint8Array } | undefined;
    return r === undefined ? undefined : { user: r.name, credential: r.credential };
  }

  revokedDeviceIds(): string[] {
    return this.q('SELECT id FROM devices WHERE revoked_at IS NOT NULL').pluck().all() as string[];
  }

  countDevices(): { active: number; revoked: number } {
    return {
      active: count(this.q('SELECT count(*) AS n FROM devices WHERE revoked_at IS NULL')),
      revoked: count(this.q('SELECT count(*) AS n FROM devices WHERE revoked_at IS NOT NULL')),
    };
  }

  insertDevice(
    _tx: WriteTx,
    d: {
      id: string;
      userId: number;
      signatureKey: Uint8Array;
      credential: Uint8Array;
      createdAt: number;
    },
  ): void {
    this.q(
      'INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(d.id, d.userId, d.signatureKey, d.credential, d.createdAt);
  }

  /** @returns whether the device was live until now */
  revokeDevice(_tx: WriteTx, deviceId: string, now: number): boolean {
    return (
      this.q('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(
        now,
        deviceId,
      ).changes > 0
    );
  }

  touchDevice(_tx: WriteTx, deviceId: string, now: number): void {
    this.q('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(now, deviceId);
  }
}
