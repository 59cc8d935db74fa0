/**
 * Device revocation: what it deletes on disk, and the server's in-memory view of it.
 *
 * A device is revoked either by the server itself (`DELETE /api/v1/devices/:id`) or by an
 * admin command in another process against the same database (`foyer user remove`). The
 * server keeps the set of revoked devices in memory, because the hub consults it for every
 * recipient of every message; `refresh` makes that set notice the other process's changes
 * for the price of one `PRAGMA data_version` when nothing changed.
 */
import type { Db, Statement } from '../storage/sqlite.ts';

/**
 * Marks a device revoked and deletes its sessions and key packages.
 * Its mailbox is the caller's to empty (the server does it through `Mailboxes.drop`, which
 * keeps its counts right). Runs inside a write transaction; a no-op for a revoked device.
 * @returns whether the device was live until now
 */
export function revokeDeviceRows(db: Db, deviceId: string, now: number): boolean {
  const changed = db
    .prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
    .run(now, deviceId).changes;
  if (changed === 0) return false;
  db.prepare('DELETE FROM sessions WHERE device_id = ?').run(deviceId);
  db.prepare('DELETE FROM key_packages WHERE device_id = ?').run(deviceId);
  return true;
}

/** The revoked devices, as this server process knows them. */
export class Revocations {
  private readonly version: Statement;
  private readonly list: Statement;
  private readonly revoked = new Set<string>();
  private seenVersion: number;
  private readonly onExternal: (deviceIds: string[]) => void;

  /**
   * Loads the revoked devices. `onExternal` is told of devices that another process revoked
   * (found by `refresh`), so sessions, sockets and mailbox counts can follow.
   */
  constructor(db: Db, onExternal: (deviceIds: string[]) => void = () => undefined) {
    // `data_version` changes when ANOTHER connection commits, never for this one's own
    // commits: the server's hot path never triggers a reload.
    this.version = db.prepare('PRAGMA data_version').pluck() as Statement;
    this.list = db
      .prepare('SELECT id FROM devices WHERE revoked_at IS NOT NULL')
      .pluck() as Statement;
    this.onExternal = onExternal;
    this.seenVersion = this.version.get() as number;
    for (const id of this.list.all() as string[]) this.revoked.add(id);
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
    const v = this.version.get() as number;
    if (v === this.seenVersion) return;
    // The version is read before the list: a commit landing in between is seen now and
    // read again next time, never missed.
    this.seenVersion = v;
    const fresh = (this.list.all() as string[]).filter((id) => !this.revoked.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) this.revoked.add(id);
    this.onExternal(fresh);
  }
}
