/**
 * The delivery router: the hub hands it each accepted item with the member devices that
 * must get it, and the router places it, per device address, on that device's route:
 *
 * - a device of this instance: its mailbox (nothing for a revoked device);
 * - a device of another instance: that instance's outbound queue, one entry per instance
 *   and item however many of its devices are recipients — the `RemoteRoute` federation
 *   provides. Without one, a remote recipient is an error (`federation_unavailable`), never
 *   a silent drop.
 *
 * It runs inside the writer's transaction, like the hub's own writes: an item is durable on
 * every route, or on none, when the submitter is answered. Pushes to open sockets wait until
 * that transaction is on disk (`publish`).
 */
import type { Mailboxes, PushItem, ItemKind } from '../mailbox/mailbox.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { WriteTx } from '../storage/tx.ts';
import type { DeviceAddress } from './address.ts';

/** One item to deliver: what every recipient gets. */
export interface Parcel {
  kind: ItemKind;
  groupId: Uint8Array;
  /** The client's message id (receivers deduplicate by it). */
  msgId: string;
  body: Uint8Array;
  /**
   * The device that submitted it, for application messages: told when a peer instance
   * accepted the item or its queue gave it up (federation/status.ts).
   */
  sender?: DeviceAddress;
  /**
   * For messages and Welcomes: every device that reads the group's application messages
   * after this item. Each other instance is told its own devices among them, and only those
   * (federation/route.ts), so that it can deliver its members' messages to each other while
   * it cannot reach the hub.
   */
  members?: readonly DeviceAddress[];
}

/**
 * The route to devices of other instances (federation implements it with a persistent
 * per-peer outbound queue). Called inside the writer's transaction: what it stores commits
 * or rolls back with the hub's own writes.
 */
export interface RemoteRoute {
  /** Queues one parcel for `devices`, all of instance `domain`. */
  enqueue(
    tx: WriteTx,
    domain: string,
    devices: readonly DeviceAddress[],
    parcel: Parcel,
    now: number,
  ): void;
  /** Whether items for `domain` are accepted (a denied instance is not). */
  reaches(domain: string): boolean;
}

/** The local devices that get nothing (revoked, but still holding leaves). */
export interface RevokedDevices {
  has(deviceId: string): boolean;
}

/** Pushes for this instance's open sockets, to send once the transaction is committed. */
export type LocalPushes = ReadonlyArray<Map<string, PushItem>>;

export class DeliveryRouter {
  readonly domain: string;
  private readonly mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
  private readonly revoked: RevokedDevices;
  private readonly remote: RemoteRoute | undefined;

  constructor(opts: {
    /** This instance's domain: its devices have mailboxes here. */
    domain: string;
    mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
    revoked: RevokedDevices;
    /** Absent until federation exists. */
    remote?: RemoteRoute;
  }) {
    this.domain = opts.domain;
    this.mailboxes = opts.mailboxes;
    this.revoked = opts.revoked;
    this.remote = opts.remote;
  }

  isLocal(address: DeviceAddress): boolean {
    return address.domain === this.domain;
  }

  /** Whether devices of `domain` can be delivered to (a hub refuses to add them otherwise). */
  reaches(domain: string): boolean {
    return domain === this.domain || (this.remote?.reaches(domain) ?? false);
  }

  /**
   * Places `parcel` on each recipient's route. Runs inside the writer's transaction.
   * @returns the pushes for local sockets, for `publish` after the commit
   * @throws FoyerError federation_unavailable for a recipient of an instance not reached
   */
  deliver(
    tx: WriteTx,
    recipients: readonly DeviceAddress[],
    parcel: Parcel,
    now: number,
  ): LocalPushes {
    const local: string[] = [];
    const remote = new Map<string, DeviceAddress[]>();
    for (const r of recipients) {
      if (this.isLocal(r)) {
        if (!this.revoked.has(r.deviceId)) local.push(r.deviceId);
        continue;
      }
      if (!this.reaches(r.domain)) throw unreachable(r.domain);
      const list = remote.get(r.domain);
      if (list === undefined) remote.set(r.domain, [r]);
      else list.push(r);
    }
    for (const [domain, devices] of remote) this.remote!.enqueue(tx, domain, devices, parcel, now);
    const { kind, groupId, msgId, body } = parcel;
    return [this.mailboxes.enqueue(tx, local, kind, groupId, msgId, body, now)];
  }

  /** Hands committed items to open sockets (call once the transaction is on disk). */
  publish(pushes: LocalPushes): void {
    for (const p of pushes) this.mailboxes.publish(p);
  }
}

/** The error for a device of an instance this one cannot deliver to. */
export function unreachable(domain: string): FoyerError {
  return new FoyerError(
    'federation_unavailable',
    `devices of ${domain} are on another instance, and this one does not federate with it`,
    { domain },
  );
}
