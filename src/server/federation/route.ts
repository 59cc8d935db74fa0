/**
 * The remote route: the delivery router hands it, inside the writer's transaction, each item
 * for devices of another instance; it stores one outbound entry per instance and item (not
 * per device), so the entry commits or rolls back with the hub's own writes.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { WriteTx } from '../storage/tx.ts';
import type { Writer } from '../writer.ts';
import type { DeviceAddress } from '../delivery/address.ts';
import type { Parcel, RemoteRoute } from '../delivery/router.ts';
import type { FederationStore } from './store.ts';
import type { Peers } from './peers.ts';
import { MAX_MEMBERS } from './wire.ts';

/**
 * The JSON list of `domain`'s own member devices after the parcel: nothing about other
 * instances' devices. A list longer than the inbox takes is not sent (null), so that it never
 * makes a whole batch unreadable: that instance then does not hold messages for the group.
 */
function membersAt(domain: string, parcel: Parcel): string | null {
  if (parcel.members === undefined) return null;
  const own = parcel.members.filter((m) => m.domain === domain).map((m) => m.deviceId);
  return own.length > MAX_MEMBERS ? null : JSON.stringify(own);
}

export class FederationRoute implements RemoteRoute {
  private readonly store: FederationStore;
  private readonly peers: Peers;
  private readonly writer: Writer;
  private readonly maxQueued: number;
  private readonly kick: () => void;

  constructor(opts: {
    store: FederationStore;
    peers: Peers;
    writer: Writer;
    /** Most items one peer's queue may hold (configuration `federationQueueMax`). */
    maxQueued: number;
    /** Wakes the sender once the transaction is committed. */
    kick: () => void;
  }) {
    this.store = opts.store;
    this.peers = opts.peers;
    this.writer = opts.writer;
    this.maxQueued = opts.maxQueued;
    this.kick = opts.kick;
  }

  /** @throws FoyerError mailbox_full when that peer's queue is at its bound */
  enqueue(
    tx: WriteTx,
    domain: string,
    devices: readonly DeviceAddress[],
    parcel: Parcel,
    now: number,
  ): void {
    if (this.store.queued(domain) >= this.maxQueued) {
      throw new FoyerError('mailbox_full', `the outbound queue to ${domain} is full`, { domain });
    }
    this.store.enqueue(tx, {
      domain,
      kind: parcel.kind,
      group_id: parcel.groupId,
      msg_id: parcel.msgId,
      body: parcel.body,
      devices: JSON.stringify(devices.map((d) => d.deviceId)),
      created_at: now,
      sender_domain: parcel.sender?.domain ?? null,
      sender_device: parcel.sender?.deviceId ?? null,
      members: membersAt(domain, parcel),
    });
    this.writer.onCommit(this.kick);
  }

  reaches(domain: string): boolean {
    return !this.peers.isDenied(domain);
  }
}
