/**
 * Delivery statuses for the devices that sent what a peer accepted or what the queue gave
 * up: a `status` item (api.ts DeliveryStatus) in the sending device's mailbox — directly when
 * that device is of this instance, else queued for its instance like any other item (the
 * sender's instance takes it from this one only because this one is the group's hub).
 * Written in the same transaction that removes the items from the queue.
 */
import { createHash } from 'node:crypto';
import type { DeliveryStatus } from '../../shared/protocol/api.ts';
import type { Mailboxes, PushItem } from '../mailbox/mailbox.ts';
import type { WriteTx } from '../storage/tx.ts';
import type { FederationStore, OutboundRow } from './store.ts';

export class StatusNotes {
  private readonly self: string;
  private readonly store: FederationStore;
  private readonly mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;

  constructor(opts: {
    self: string;
    store: FederationStore;
    mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
  }) {
    this.self = opts.self;
    this.store = opts.store;
    this.mailboxes = opts.mailboxes;
  }

  /**
   * Writes one status per row that has a sender, inside `tx`.
   * @returns the local pushes, to publish once committed, and whether a peer's queue grew
   */
  note(
    tx: WriteTx,
    rows: readonly OutboundRow[],
    status: Omit<DeliveryStatus, 'v' | 'id'>,
    now: number,
  ): { pushes: Array<Map<string, PushItem>>; queued: boolean } {
    const pushes: Array<Map<string, PushItem>> = [];
    let queued = false;
    for (const r of rows) {
      if (r.sender_domain === null || r.sender_device === null) continue;
      const body: DeliveryStatus = { v: 1, id: r.msg_id, ...status };
      const raw = new TextEncoder().encode(JSON.stringify(body));
      const id = statusId(r.msg_id, status.state, status.domain);
      if (r.sender_domain === this.self) {
        pushes.push(
          this.mailboxes.enqueue(tx, [r.sender_device], 'status', r.group_id, id, raw, now),
        );
        continue;
      }
      this.store.enqueue(tx, {
        domain: r.sender_domain,
        kind: 'status',
        group_id: r.group_id,
        msg_id: id,
        body: raw,
        devices: JSON.stringify([r.sender_device]),
        created_at: now,
        sender_domain: null,
        sender_device: null,
        members: null,
      });
      queued = true;
    }
    return { pushes, queued };
  }
}

/** A status's own item id: stable, so a status written twice is delivered once. */
function statusId(msgId: string, state: string, domain: string): string {
  return createHash('sha256')
    .update(`foyer/v1 status\0${msgId}\0${state}\0${domain}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
