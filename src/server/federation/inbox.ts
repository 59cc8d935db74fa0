/**
 * The federation inbox: a verified batch from a peer is placed into this instance's
 * mailboxes, in the batch's order, in ONE writer job (one fsync): acknowledged to the peer
 * only once on disk. Items already received (same origin, kind, group and message id) are
 * skipped, so a batch retried after a lost answer delivers nothing twice.
 */
import { createHash } from 'node:crypto';
import type { Writer } from '../writer.ts';
import type { Mailboxes, PushItem } from '../mailbox/mailbox.ts';
import type { FederationStore } from './store.ts';
import type { InboxItem } from './wire.ts';

const DAY_MS = 24 * 3600 * 1000;
/** Senders retry for at most 7 days (the queue's default age); one more day of margin. */
const SEEN_DAYS = 8;

/** The day after which a digest recorded at `now` may be forgotten. */
export function forgetDay(now: number): number {
  return Math.floor(now / DAY_MS) + SEEN_DAYS;
}

export interface InboxResult {
  accepted: number;
  duplicates: number;
  /** Items for a group whose hub is another instance (or this one): dropped, see below. */
  refused: number;
}

export class Inbox {
  private readonly store: FederationStore;
  private readonly writer: Writer;
  private readonly mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
  private readonly isLiveDevice: (deviceId: string) => boolean;
  private readonly isHubHere: (groupId: Uint8Array) => boolean;
  /** Called once a batch from `origin` is on disk (wakes the relay of held messages). */
  onReceived: (origin: string) => void = () => undefined;

  constructor(opts: {
    store: FederationStore;
    writer: Writer;
    mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
    /** A device of this instance that exists and is not revoked. */
    isLiveDevice: (deviceId: string) => boolean;
    /** Whether this instance is the group's hub. */
    isHubHere: (groupId: Uint8Array) => boolean;
  }) {
    this.store = opts.store;
    this.writer = opts.writer;
    this.mailboxes = opts.mailboxes;
    this.isLiveDevice = opts.isLiveDevice;
    this.isHubHere = opts.isHubHere;
  }

  /**
   * Places a batch from `origin`.
   * @throws FoyerError mailbox_full / storage_full: then nothing of the batch is kept, and
   * the peer retries it later
   */
  accept(origin: string, items: readonly InboxItem[], now: number): Promise<InboxResult> {
    return this.writer.run((tx) => {
      const pushes: Array<Map<string, PushItem>> = [];
      let duplicates = 0;
      let refused = 0;
      for (const item of items) {
        // Only a group's hub fans its items out. The first instance that delivers an item of
        // a group here is recorded as its hub (it is the one that sent the Welcome); items
        // of that group from any other instance, or of a group hubbed here, are spoofs.
        const hub = this.store.hubOf(item.groupId);
        if ((hub !== undefined && hub !== origin) || this.isHubHere(item.groupId)) {
          refused++;
          continue;
        }
        if (hub === undefined) this.store.setHub(tx, item.groupId, origin, now);
        if (!this.store.markSeen(tx, seenDigest(origin, item), forgetDay(now))) {
          duplicates++;
          continue;
        }
        // The hub tells this instance its own member devices after the item: the newest list
        // replaces the last (items come in the hub's order), for deliveries during a partition.
        if (item.kind !== 'status' && item.members !== undefined) {
          this.store.setMembers(tx, item.groupId, item.members, now);
        }
        // A device removed since the peer queued the item gets nothing (as locally).
        const devices = [...new Set(item.devices)].filter(this.isLiveDevice);
        pushes.push(
          this.mailboxes.enqueue(tx, devices, item.kind, item.groupId, item.msgId, item.body, now),
        );
      }
      this.writer.onCommit(() => {
        for (const p of pushes) this.mailboxes.publish(p);
        // A batch from this peer: it is reachable again, held messages can go now.
        this.onReceived(origin);
      });
      return { accepted: items.length - duplicates - refused, duplicates, refused };
    });
  }
}

/**
 * What recognises an item received from `origin`. A follower records it too for a message it
 * held and placed itself (relay.ts), so the hub's copy of the same message is not placed again.
 */
export function seenDigest(
  origin: string,
  item: Pick<InboxItem, 'kind' | 'groupId' | 'msgId'>,
): Uint8Array {
  return createHash('sha256')
    .update(`foyer/v1 federation-seen\0${origin}\0${item.kind}\0`)
    .update(item.groupId)
    .update(`\0${item.msgId}`)
    .digest()
    .subarray(0, 16);
}
