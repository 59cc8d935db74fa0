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

export class KeyPackages {
  private readonly stores: AccountStores;
  private readonly writer: Writer;
  private readonly max: number;

  constructor(stores: AccountStores, writer: Writer, maxPerDevice: number) {
    this.stores = stores;
    this.writer = writer;
    this.max = maxPerDevice;
  }

  /**
   * Stores packages after checking each is signed by, and carries the credential of, the
   * caller's device: nobody can stock key packages in someone else's name.
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
      if (
        credential.deviceId !== caller.deviceId ||
        !equalBytes(credential.deviceKey, device.signatureKey)
      ) {
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

  /** One package per live device of a user, skipping the caller's own device. */
  claim(caller: Caller, deviceIds: string[]): Promise<ClaimedKeyPackages> {
    const store = this.stores.keyPackages;
    return this.writer.run((tx) => {
      const out: ClaimedKeyPackages['keyPackages'] = [];
      for (const deviceId of deviceIds) {
        if (deviceId === caller.deviceId) continue;
        const kp = store.next(deviceId);
        if (kp === undefined) continue;
        if (!kp.lastResort) store.delete(tx, kp.id);
        out.push({ deviceId, keyPackage: toBase64Url(kp.keyPackage) });
      }
      return { keyPackages: out };
    });
  }
}
