/**
 * What the mailboxes hold, counted in memory: items and bytes per device, bytes per user
 * and in total. Quotas are checked against these counts before anything is written, so a
 * refused message changes nothing; the counts are rebuilt from disk at start and after a
 * failed write batch.
 */
import type { MailboxStore } from './store.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';

/** The limits one message must fit in, for every recipient. */
export interface MailboxLimits {
  /** Most items waiting for one device. */
  items: number;
  /** Most payload bytes waiting for one device. */
  deviceBytes: number;
  /** Most payload bytes waiting for all the devices of one user. */
  userBytes: number;
}

interface DeviceUsage {
  items: number;
  bytes: number;
  /** The owner's user id; undefined for a device this instance does not know. */
  user: number | undefined;
}

export class MailboxUsage {
  private readonly store: MailboxStore;
  private readonly limits: MailboxLimits;
  private readonly devices = new Map<string, DeviceUsage>();
  private readonly users = new Map<number, number>();
  items = 0;
  bytes = 0;

  constructor(store: MailboxStore, limits: MailboxLimits) {
    this.store = store;
    this.limits = limits;
  }

  /** Recounts everything from disk. */
  reload(): void {
    this.devices.clear();
    this.users.clear();
    this.items = 0;
    this.bytes = 0;
    for (const r of this.store.usageByDevice()) {
      const user = r.userId ?? undefined;
      this.devices.set(r.deviceId, { items: r.n, bytes: r.bytes, user });
      if (user !== undefined) this.users.set(user, (this.users.get(user) ?? 0) + r.bytes);
      this.items += r.n;
      this.bytes += r.bytes;
    }
  }

  /**
   * Checks that one item of `size` bytes fits in every recipient's mailbox.
   * @throws FoyerError mailbox_full, naming no recipient (the sender learns only that one is full)
   */
  assertRoom(deviceIds: readonly string[], size: number): void {
    const perUser = new Map<number, number>();
    for (const id of deviceIds) {
      const d = this.device(id);
      if (d.items + 1 > this.limits.items || d.bytes + size > this.limits.deviceBytes) {
        throw full();
      }
      if (d.user !== undefined) perUser.set(d.user, (perUser.get(d.user) ?? 0) + size);
    }
    for (const [user, adding] of perUser) {
      if ((this.users.get(user) ?? 0) + adding > this.limits.userBytes) throw full();
    }
  }

  added(deviceId: string, size: number): void {
    const d = this.device(deviceId);
    d.items++;
    d.bytes += size;
    if (d.user !== undefined) this.users.set(d.user, (this.users.get(d.user) ?? 0) + size);
    this.items++;
    this.bytes += size;
  }

  removed(deviceId: string, items: number, size: number): void {
    if (items === 0) return;
    const d = this.device(deviceId);
    d.items = Math.max(0, d.items - items);
    d.bytes = Math.max(0, d.bytes - size);
    if (d.user !== undefined) {
      this.users.set(d.user, Math.max(0, (this.users.get(d.user) ?? 0) - size));
    }
    this.items = Math.max(0, this.items - items);
    this.bytes = Math.max(0, this.bytes - size);
  }

  /** Forgets a device whose mailbox was emptied (revocation). */
  forget(deviceId: string): void {
    const d = this.devices.get(deviceId);
    if (d === undefined) return;
    this.removed(deviceId, d.items, d.bytes);
    this.devices.delete(deviceId);
  }

  private device(id: string): DeviceUsage {
    let d = this.devices.get(id);
    if (d === undefined) {
      d = { items: 0, bytes: 0, user: this.store.ownerOf(id) };
      this.devices.set(id, d);
    }
    return d;
  }
}

function full(): FoyerError {
  return new FoyerError(
    'mailbox_full',
    'a recipient mailbox is full; the message was not accepted (try again once it is read)',
  );
}
