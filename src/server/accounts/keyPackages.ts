/**
 * MLS KeyPackages: each device keeps a bounded stock on the server; others claim one per
 * device to add it to a group. A claimed package is consumed; the last-resort package is
 * handed out when the stock is empty and kept.
 */
import type { Db } from '../storage/sqlite.ts';
import type { ClaimedKeyPackages, KeyPackageCount } from '../../shared/protocol/api.ts';
import { inspectKeyPackageVerified } from '../../shared/mls/inspect.ts';
import { equalBytes, toBase64Url } from '../../shared/protocol/bytes.ts';
import { encodeCredential } from '../../shared/protocol/credential.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Caller } from './accounts.ts';
import { RateLimiter } from '../http/rateLimit.ts';

/**
 * Claims one user may make of another's packages: a burst of 10, then one every 30 s. Adding
 * someone to a conversation takes one claim; draining their stock takes many.
 */
export const CLAIMS_PER_MINUTE_PER_PAIR = 2;
/**
 * One-time packages handed out per target device: a burst of 10, then one a minute. Beyond,
 * claimers get the device's last-resort package (adds still work), so a household of
 * claimers cannot empty the one-time stock faster than the device replenishes it.
 */
export const ONE_TIME_PER_MINUTE_PER_DEVICE = 1;
/** Below this many one-time packages, the device's open sockets are told to upload more. */
export const LOW_STOCK = 10;

export class KeyPackages {
  private readonly db: Db;
  private readonly max: number;
  private readonly claims = new RateLimiter(CLAIMS_PER_MINUTE_PER_PAIR);
  private readonly oneTime = new RateLimiter(ONE_TIME_PER_MINUTE_PER_DEVICE);
  private readonly onLowStock: (deviceId: string, available: number) => void;

  /** `onLowStock` runs after a claim leaves a device under LOW_STOCK one-time packages. */
  constructor(
    db: Db,
    maxPerDevice: number,
    onLowStock: (deviceId: string, available: number) => void = () => undefined,
  ) {
    this.db = db;
    this.max = maxPerDevice;
    this.onLowStock = onLowStock;
  }

  /**
   * Stores packages after checking each is signed by, and carries exactly the credential
   * issued to, the caller's device: nobody can stock key packages in someone else's name.
   */
  async upload(
    caller: Caller,
    packages: Uint8Array[],
    lastResort: Uint8Array | undefined,
  ): Promise<KeyPackageCount> {
    const device = this.db
      .prepare('SELECT credential FROM devices WHERE id = ?')
      .get(caller.deviceId) as { credential: Uint8Array } | undefined;
    if (device === undefined) throw new FoyerError('unauthenticated', 'unknown device');
    const all = lastResort === undefined ? packages : [...packages, lastResort];
    for (const [i, kp] of all.entries()) {
      const { credential } = await inspectKeyPackageVerified(kp);
      // The whole credential — user, domain, device, keys and both signatures — must be the
      // one this instance issued to the uploading device: a package naming another user with
      // one's own device key is refused.
      if (!equalBytes(encodeCredential(credential), device.credential)) {
        throw new FoyerError('forbidden', `keyPackages[${i}] is not for this device`);
      }
    }
    const now = Date.now();
    this.db.transaction(() => {
      const { available } = this.count(caller.deviceId);
      if (available + packages.length > this.max) {
        throw new FoyerError(
          'bad_request',
          `a device may keep at most ${this.max} key packages (has ${available})`,
        );
      }
      const insert = this.db.prepare(
        'INSERT INTO key_packages (device_id, key_package, last_resort, created_at) VALUES (?, ?, ?, ?)',
      );
      for (const kp of packages) insert.run(caller.deviceId, kp, 0, now);
      if (lastResort !== undefined) {
        this.db
          .prepare('DELETE FROM key_packages WHERE device_id = ? AND last_resort = 1')
          .run(caller.deviceId);
        insert.run(caller.deviceId, lastResort, 1, now);
      }
    })();
    return this.countFull(caller.deviceId);
  }

  countFull(deviceId: string): KeyPackageCount {
    const c = this.count(deviceId);
    return { available: c.available, lastResort: c.lastResort };
  }

  /**
   * One package per live device of the user `target`, skipping the caller's own device.
   * @throws FoyerError rate_limited when the caller claims this user's packages too often
   */
  claim(caller: Caller, target: string, deviceIds: string[]): ClaimedKeyPackages {
    this.claims.take(`${caller.userId}>${target}`);
    const low: Array<[string, number]> = [];
    const result = this.db.transaction(() => {
      const out: ClaimedKeyPackages['keyPackages'] = [];
      for (const deviceId of deviceIds) {
        if (deviceId === caller.deviceId) continue;
        // Over its one-time rate, a device's last-resort package is handed out instead.
        const order = this.oneTime.tryTake(deviceId) ? 'last_resort, id' : 'last_resort DESC, id';
        const row = this.db
          .prepare(
            `SELECT id, key_package, last_resort FROM key_packages WHERE device_id = ? ORDER BY ${order} LIMIT 1`,
          )
          .get(deviceId) as
          { id: number; key_package: Uint8Array; last_resort: number } | undefined;
        if (row === undefined) continue;
        if (row.last_resort === 0) {
          this.db.prepare('DELETE FROM key_packages WHERE id = ?').run(row.id);
          const { available } = this.count(deviceId);
          if (available < LOW_STOCK) low.push([deviceId, available]);
        }
        out.push({ deviceId, keyPackage: toBase64Url(row.key_package) });
      }
      return { keyPackages: out };
    })();
    for (const [deviceId, available] of low) this.onLowStock(deviceId, available);
    return result;
  }

  private count(deviceId: string): { available: number; lastResort: boolean } {
    const rows = this.db
      .prepare(
        'SELECT last_resort, count(*) AS n FROM key_packages WHERE device_id = ? GROUP BY last_resort',
      )
      .all(deviceId) as Array<{ last_resort: number; n: number }>;
    return {
      available: rows.find((r) => r.last_resort === 0)?.n ?? 0,
      lastResort: rows.some((r) => r.last_resort === 1),
    };
  }
}
