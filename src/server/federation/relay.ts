/**
 * Partitions, the follower's side: an application message of one of this instance's devices,
 * for a group hubbed elsewhere, that cannot go to the hub now is **held**. In one transaction
 * it is placed in the mailboxes of this instance's other member devices (as the hub last told
 * them) and queued on disk for the hub; the device is answered as for an accepted message.
 * The relay loop then submits the held messages to the hub, oldest first, one at a time per
 * hub, marked as already delivered here: the hub orders them as any submission (idempotent by
 * id) and fans them out to every other instance. A refusal by the hub, or a message still held
 * after the queue's age, comes back to its sender as a `failed` status. See docs/federation.md,
 * "Partitions".
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Caller } from '../accounts/accounts.ts';
import type { Submission } from '../hub/hub.ts';
import type { Mailboxes, PushItem } from '../mailbox/mailbox.ts';
import type { Writer } from '../writer.ts';
import type { DeliveryStatus, SubmitResponse } from '../../shared/protocol/api.ts';
import { toBase64Url } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { parseSubmitResponse } from '../../shared/engine/transport/parseReplies.ts';
import type { FederationStore } from './store.ts';
import type { HeldRow, HeldStore } from './held/store.ts';
import type { PeerClient } from './peerClient.ts';
import { forgetDay, seenDigest } from './inbox.ts';
import { backoffMs } from './sender.ts';

const TICK_MS = 1_000;
/** Refusals that say "not now" rather than "never": the held message is tried again. */
const TRANSIENT = new Set(['peer_unreachable', 'rate_limited', 'mailbox_full', 'storage_full']);

/** Whether a forwarded submission's failure means the hub could not be reached. */
export function isUnreachable(err: unknown): boolean {
  return err instanceof FoyerError && err.code === 'peer_unreachable';
}

export class Relay {
  private readonly held: HeldStore;
  private readonly store: FederationStore;
  private readonly writer: Writer;
  private readonly mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
  private readonly client: PeerClient;
  private readonly log: Logger;
  private readonly maxAgeMs: number;
  private readonly maxHeld: number;
  private readonly isLiveDevice: (deviceId: string) => boolean;
  private readonly busy = new Set<string>();
  /** Hubs heard from while an attempt to them was in flight: try again at once if it fails. */
  private readonly heard = new Set<string>();
  /** Per hub: failed attempts in a row and when to try next (in memory). */
  private readonly retries = new Map<string, { attempts: number; nextAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Held messages the hub accepted since start (metrics, tests). */
  relayed = 0;

  constructor(opts: {
    held: HeldStore;
    store: FederationStore;
    writer: Writer;
    mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
    client: PeerClient;
    log: Logger;
    /** Held messages older than this are given up (the federation queue's age). */
    maxAgeMs: number;
    /** Most messages held for one hub (the federation queue's bound). */
    maxHeld: number;
    isLiveDevice: (deviceId: string) => boolean;
  }) {
    this.held = opts.held;
    this.store = opts.store;
    this.writer = opts.writer;
    this.mailboxes = opts.mailboxes;
    this.client = opts.client;
    this.log = opts.log;
    this.maxAgeMs = opts.maxAgeMs;
    this.maxHeld = opts.maxHeld;
    this.isLiveDevice = opts.isLiveDevice;
  }

  /** Whether messages are held for `hub`: it was unreachable, and they go first. */
  holdsFor(hub: string): boolean {
    return this.held.holdsFor(hub);
  }

  /** Whether messages of `groupId` are held (a commit of that group waits for them). */
  holdsGroup(groupId: Uint8Array): boolean {
    return this.held.holdsGroup(groupId);
  }

  /**
   * Holds an application message of `caller` for `hub`: placed at once with this instance's
   * other member devices, queued for the hub, in one transaction.
   * @returns the answer for the device, or undefined when this instance does not know the
   * caller as a member of the group (the hub never told it: then nothing is written)
   * @throws FoyerError mailbox_full (also when `maxHeld` messages are held for the hub) /
   * storage_full, as for a local delivery
   */
  hold(
    caller: Caller,
    hub: string,
    groupId: Uint8Array,
    s: Submission,
    epoch: number,
  ): Promise<SubmitResponse | undefined> {
    return this.writer.run((tx) => {
      const members = this.store.members(groupId);
      if (members === undefined || !members.includes(caller.deviceId)) return undefined;
      // Bounded like the outbound queue: a lone member here (no reader's mailbox quota to
      // stop it) cannot fill the disk during a long partition.
      if (this.held.count(hub) >= this.maxHeld) {
        throw new FoyerError('mailbox_full', `the queue of messages held for ${hub} is full`, {
          domain: hub,
        });
      }
      const now = Date.now();
      const fresh = this.held.add(tx, {
        hub,
        group_id: groupId,
        msg_id: s.id,
        body: s.message,
        sender_user: caller.userName,
        sender_device: caller.deviceId,
        created_at: now,
      });
      if (!fresh) return { epoch, duplicate: true };
      // Recorded as if received from the hub: should the hub's own copy come after all (it
      // had accepted an earlier attempt whose answer was lost), the inbox drops it; should it
      // have come already, the members have it and it is not placed twice.
      const item = { kind: 'message', groupId, msgId: s.id } as const;
      if (this.store.markSeen(tx, seenDigest(hub, item), forgetDay(now))) {
        const readers = members.filter((d) => d !== caller.deviceId && this.isLiveDevice(d));
        const push = this.mailboxes.enqueue(tx, readers, 'message', groupId, s.id, s.message, now);
        this.writer.onCommit(() => this.mailboxes.publish(push));
      }
      this.writer.onCommit(() => this.kick());
      return { epoch, duplicate: false };
    });
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), TICK_MS);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** `hub` was heard from (a batch of its arrived): try its held messages now. */
  reachable(hub: string): void {
    if (this.busy.has(hub)) this.heard.add(hub);
    if (!this.retries.delete(hub)) return;
    this.kick();
  }

  /** Tries every hub that has held messages and is due. */
  kick(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const hub of this.held.hubs()) {
      if (this.busy.has(hub) || (this.retries.get(hub)?.nextAt ?? 0) > now) continue;
      this.busy.add(hub);
      this.drain(hub)
        .catch((err: unknown) => this.log.error({ err }, 'federation relay failed'))
        .finally(() => this.busy.delete(hub));
    }
  }

  /** Submits `hub`'s held messages in order until one cannot go now. */
  private async drain(hub: string): Promise<void> {
    this.heard.delete(hub);
    for (let row = this.held.head(hub); row !== undefined; row = this.held.head(hub)) {
      if (this.stopped) return;
      let outcome: { failed?: string } = {};
      try {
        await this.submit(row);
      } catch (err) {
        const code = err instanceof FoyerError ? err.code : 'error';
        if (TRANSIENT.has(code) && Date.now() - row.created_at <= this.maxAgeMs) {
          // The hub was heard from meanwhile (its batch arrived): the link is back, try again.
          if (this.heard.delete(hub)) continue;
          const attempts = (this.retries.get(hub)?.attempts ?? 0) + 1;
          const error = reasonOf(err);
          this.retries.set(hub, { attempts, nextAt: Date.now() + backoffMs(attempts - 1) });
          this.log.info({ attempts, error }, 'held messages wait for their hub');
          return;
        }
        // Given up: the hub's refusal code, or what kept failing when the queue's age ran out.
        outcome = { failed: TRANSIENT.has(code) ? reasonOf(err) : code };
      }
      this.retries.delete(hub);
      await this.settle(row, outcome.failed);
    }
  }

  private async submit(row: HeldRow): Promise<void> {
    const answer = await this.client.call(
      row.hub,
      'POST',
      `/federation/v1/groups/${toBase64Url(row.group_id)}/messages`,
      {
        sender: { user: row.sender_user, deviceId: row.sender_device },
        id: row.msg_id,
        message: toBase64Url(row.body),
        heldAtOrigin: true,
      },
    );
    try {
      parseSubmitResponse(answer);
    } catch {
      throw new FoyerError('peer_unreachable', `${row.hub} gave an answer not understood`);
    }
  }

  /** Removes a held message the hub took, or gave up (then its sender is told why). */
  private async settle(row: HeldRow, failed: string | undefined): Promise<void> {
    await this.writer.run((tx) => {
      this.held.remove(tx, row.seq);
      if (failed === undefined) return;
      const status: DeliveryStatus = {
        v: 1,
        id: row.msg_id,
        state: 'failed',
        domain: row.hub,
        reason: failed,
      };
      const id = heldStatusId(row.msg_id, row.hub);
      const body = new TextEncoder().encode(JSON.stringify(status));
      const now = Date.now();
      const push: Map<string, PushItem> = this.mailboxes.enqueue(
        tx,
        this.isLiveDevice(row.sender_device) ? [row.sender_device] : [],
        'status',
        row.group_id,
        id,
        body,
        now,
      );
      this.writer.onCommit(() => this.mailboxes.publish(push));
    });
    if (failed === undefined) this.relayed++;
    else this.log.warn({ reason: failed }, 'a held message was refused by its hub');
  }
}

/** The error as the sender's client shows it: the code, and the peer's reason when given. */
function reasonOf(err: unknown): string {
  if (!(err instanceof FoyerError)) return 'error';
  const reason = err.details?.['reason'];
  return typeof reason === 'string' ? `${err.code}: ${reason}` : err.code;
}

/** The failed status's own item id: stable, so it is delivered once. */
function heldStatusId(msgId: string, hub: string): string {
  return createHash('sha256')
    .update(`foyer/v1 held-failed\0${msgId}\0${hub}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
