/** The query layer of MLS key packages stocked by devices. */
import { statementCache, type Db, type Statement } from '../../storage/sqlite.ts';
import type { WriteTx } from '../../storage/tx.ts';

export interface StockedKeyPackage {
  id: number;
  keyPackage: Uint8Array;
  lastResort: boolean;
}

export class KeyPackageStore {
  private readonly q: (sql: string) => Statement;

  constructor(db: Db) {
    this.q = statementCache(db);
  }

  /** One-time packages of a device, and whether it has a last-resort one. */
  stock(deviceId: string): { available: number; lastResort: boolean } {
    const rows = this.q(
      'SELECT last_resort, count(*) AS n FROM key_packages WHERE device_id = ? GROUP BY last_resort',
    ).all(deviceId) as Array<{ last_resort: number; n: number }>;
    return {
      available: rows.find((r) => r.last_resort === 0)?.n ?? 0,
      lastResort: rows.some((r) => r.last_resort === 1),
    };
  }

  /**
   * The package to hand out next: the oldest one-time package, else the last-resort one (or
   * the last-resort one first, when the device's one-time packages are being rationed).
   */
  next(deviceId: string, lastResortFirst = false): StockedKeyPackage | undefined {
    const r = this.q(
      lastResortFirst
        ? 'SELECT id, key_package, last_resort FROM key_packages WHERE device_id = ? ORDER BY last_resort DESC, id LIMIT 1'
        : 'SELECT id, key_package, last_resort FROM key_packages WHERE device_id = ? ORDER BY last_resort, id LIMIT 1',
    ).get(deviceId) as { id: number; key_package: Uint8Array; last_resort: number } | undefined;
    return r === undefined
      ? undefined
      : { id: r.id, keyPackage: r.key_package, lastResort: r.last_resort === 1 };
  }

  countAll(): number {
    return (this.q('SELECT count(*) AS n FROM key_packages').get() as { n: number }).n;
  }

  insert(
    _tx: WriteTx,
    deviceId: string,
    keyPackage: Uint8Array,
    lastResort: boolean,
    now: number,
  ): void {
    this.q(
      'INSERT INTO key_packages (device_id, key_package, last_resort, created_at) VALUES (?, ?, ?, ?)',
    ).run(deviceId, keyPackage, lastResort ? 1 : 0, now);
  }

  deleteLastResort(_tx: WriteTx, deviceId: string): void {
    this.q('DELETE FROM key_packages WHERE device_id = ? AND last_resort = 1').run(deviceId);
  }

  delete(_tx: WriteTx, id: number): void {
    this.q('DELETE FROM key_packages WHERE id = ?').run(id);
  }

  deleteForDevice(_tx: WriteTx, deviceId: string): void {
    this.q('DELETE FROM key_packages WHERE device_id = ?').run(deviceId);
  }
}
