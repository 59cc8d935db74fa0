/**
 * Device revocation: what it deletes on disk, and the server's in-memory view of it.
 *
 * A device is revoked either by the server itself (`DELETE /api/v1/devices/:id`) or by an
 * admin command in another process against the same database (`foyer user remove`). The
 * server keeps the set of revoked devices in memory, because the hub consults it for every
 * recipient of every message; `refresh` makes that set notice the other process's changes
 * for the price of one `PRAGMA data_version` when nothing changed.
 */
import { dataVersionReader, type Db } from '../storage/sqlite.ts';
import type { WriteTx } from '../storage/tx.ts';
import { UserStore, type AccountStores } from './store/index.ts';

/**
 * Marks a device revoked and deletes its sessions and key packages.
 * Its mailbox is the caller's to empty (the server does it through `Mailboxes.drop`, which
 * keeps its counts right). A no-op for a revoked device.
 * @returns whether the device was live until now
 */
export function revokeDeviceRows(
  stores: AccountStores,
  tx: WriteTx,
  deviceId: string,
  now: number,
): boolean {
  if (!stores.users.revokeDevice(tx, deviceId, now)) return false;
  stores.sessions.deleteForDevice(tx, deviceId);
  stores.keyPackages.deleteForDevice(tx, deviceId);
  return true;
}

/** The revoked devices, as this server process knows them. */
export class Revocations {
  private readonly version: () => number;
  private readonly users: UserStore;
  private readonly revoked = new Set<string>();
  private seenVersion: number;
  private readonly onExternal: (deviceIds: string[]) => void;
  /** Live devices of disabled users: they keep their data but may not use the server. */
  private disabled = new Set<string>();
  private readonly onDisabled: (deviceIds: string[]) => void;

  /**
   * Loads the revoked devices. `onExternal` is told of devices that another process revoked
   * (found by `refresh`), so sessions, sockets and mailbox counts can follow.
   */
  constructor(
    db: Db,
    onExternal: (deviceIds: string[]) => void = () => undefined,
    onDisabled: (deviceIds: string[]) => void = () => undefined,
  ) {
    // `data_version` changes when ANOTHER connection commits, never for this one's own
    // commits: the server's hot path never triggers a reload.
    this.version = dataVersionReader(db);
    this.users = new UserStore(db);
    this.onExternal = onExternal;
    this.onDisabled = onDisabled;
    this.seenVersion = this.version();
    for (const id of this.users.revokedDeviceIds()) this.revoked.add(id);
    this.disabled = new Set(this.users.disabledDeviceIds());
  }

  /** Whether the device belongs to a disabled user. */
  isDisabled(deviceId: string): boolean {
    return this.disabled.has(deviceId);
  }

  /**
   * Re-reads which devices belong to disabled users, and tells `onDisabled` of the newly
   * disabled ones. Called by `refresh`, and by this process after it disabled someone itself
   * (its own commits do not change `data_version`).
   */
  reloadDisabled(): void {
    const now = new Set(this.users.disabledDeviceIds());
    const fresh = [...now].filter((id) => !this.disabled.has(id));
    this.disabled = now;
    if (fresh.length > 0) this.onDisabled(fresh);
  }

  has(deviceId: string): boolean {
    return this.revoked.has(deviceId);
  }

  /** Records a revocation made by this process. */
  add(deviceId: string): void {
    this.revoked.add(deviceId);
  }

  /**
   * Picks up revocations committed by another process since the last call. Cheap when the
   * database has not changed: one pragma, no table read.
   */
  refresh(): void {
    const v = this.version();
    if (v === this.seenVersion) return;
    // The version is read before the list: a commit landing in between is seen now and
    // read again next time, never missed.
    this.seenVersion = v;
    this.reloadDisabled();
    const fresh = this.users.revokedDeviceIds().filter((id) => !this.revoked.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) this.revoked.add(id);
    this.onExternal(fresh);
  }
}
