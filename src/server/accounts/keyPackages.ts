/**
 * MLS KeyPackages: each device keeps a bounded stock on the server; others claim one per
 * device to add it to a group. A claimed package is consumed; the last-resort package is
 * handed out when the stock is empty and kept.
 */
import type { Writer } from '../writer.ts';
import type { AccountStores } from './store/index.ts';
import type { ClaimedKeyPackages, KeyPackageCount } from '../../shared/protocol/api.ts';
import { inspectKeyPackageVerified } from '../../shared/mls/inspect.ts';
import { equalBytes, toBase64Url } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Caller } from './accounts.ts';
import { RateLimiter } from '../http/rateLimit.ts';
import { encodeCredential } from '../../shared/protocol/credential.ts';

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
  private readonly stores: AccountStores;
  private readonly writer: Writer;
  private readonly max: number;
  private readonly claims = new RateLimiter(CLAIMS_PER_MINUTE_PER_PAIR);
  private readonly oneTime = new RateLimiter(ONE_TIME_PER_MINUTE_PER_DEVICE);
  private readonly onLowStock: (deviceId: string, available: number) => void;

  /** `onLowStock` runs after a claim leaves a device under LOW_STOCK one-time packages. */
  constructor(
    stores: AccountStores,
    writer: Writer,
    maxPerDevice: number,
    onLowStock: (deviceId: string, available: number) => void = () => undefined,
  ) {
    this.stores = stores;
    this.writer = writer;
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
    const device = this.stores.users.device(caller.deviceId);
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
    const store = this.stores.keyPackages;
    return this.writer.run((tx) => {
      const { available } = store.stock(caller.deviceId);
      if (available + packages.length > this.max) {
        throw new FoyerError(
          'bad_request',
          `a device may keep at most ${this.max} key packages (has ${available})`,
        );
      }
      for (const kp of packages) store.insert(tx, caller.deviceId, kp, false, now);
      if (lastResort !== undefined) {
        store.deleteLastResort(tx, caller.deviceId);
        store.insert(tx, caller.deviceId, lastResort, true, now);
      }
      return store.stock(caller.deviceId);
    });
  }

  countFull(deviceId: string): KeyPackageCount {
    return this.stores.keyPackages.stock(deviceId);
  }

  /**
   * One package per live device of the user `target`, skipping the caller's own device.
   * @throws FoyerError rate_limited when the caller claims this user's packages too often
   */
  claim(caller: Caller, target: string, deviceIds: string[]): Promise<ClaimedKeyPackages> {
    return this.claimAs(String(caller.userId), caller.deviceId, target, deviceIds);
  }

  /**
   * One package per live device of `target` for `claimer` (a local user's id, or
   * `peer:<domain>` for another instance claiming on behalf of its users), skipping
   * `skipDevice`. The same per-pair rate applies to both.
   * @throws FoyerError rate_limited
   */
  async claimAs(
    claimer: string,
    skipDevice: string | undefined,
    target: string,
    deviceIds: string[],
  ): Promise<ClaimedKeyPackages> {
    this.claims.take(`${claimer}>${target}`);
    const store = this.stores.keyPackages;
    const low: Array<[string, number]> = [];
    const result = await this.writer.run((tx) => {
      const out: ClaimedKeyPackages['keyPackages'] = [];
      for (const deviceId of deviceIds) {
        if (deviceId === skipDevice) continue;
        // Over its one-time rate, a device's last-resort package is handed out instead.
        const kp = store.next(deviceId, !this.oneTime.tryTake(deviceId));
        if (kp === undefined) continue;
        if (!kp.lastResort) {
          store.delete(tx, kp.id);
          const { available } = store.stock(deviceId);
          if (available < LOW_STOCK) low.push([deviceId, available]);
        }
        out.push({ deviceId, keyPackage: toBase64Url(kp.keyPackage) });
      }
      return { keyPackages: out };
    });
    for (const [deviceId, available] of low) this.onLowStock(deviceId, available);
    return result;
  }
}
