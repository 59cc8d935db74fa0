/**
 * The engine's instance methods: what a shell calls. Each runs under the engine lock.
 * (Construction lives in engine.ts; the background loop in background.ts.)
 */
import { epochOf } from '../mls/group.ts';
import { FoyerError } from '../protocol/errors.ts';
import { formatAddress, type Address } from '../protocol/address.ts';
import { publishSettings } from './settings/channel.ts';
import { blockedPeople, blockPerson, removeContact, unblockPerson } from './settings/contacts.ts';
import { isBlocked } from './settings/settingsModel.ts';
import { readSettings } from './settings/settingsStore.ts';
import { meOf, shown } from './settings/visibility.ts';
import { isMe, parsePerson } from './identity/addresses.ts';
import { Background } from './sync/background.ts';
import type { EngineContext, EngineStats } from './core/context.ts';
import {
  allConversations,
  findMessage,
  getConversation,
  loadGroup,
} from './conversations/conversationStore.ts';
import {
  listDevices,
  reconcileOwnDevices,
  revokeDevice,
  type DeviceView,
  type ReconcileResult,
} from './devices/devices.ts';
import {
  acceptChangedIdentity,
  safetyWith,
  verifyQr,
  type SafetyView,
} from './identity/identity.ts';
import { readCursor, syncMailboxLocked } from './sync/incoming.ts';
import { ensureKeyPackages } from './devices/keyPackageStock.ts';
import { approveLinkRequest } from './devices/link.ts';
import {
  addPeople,
  canonicalDirect,
  checkUser,
  createConversation,
  findDirect,
  leaveConversation,
  removeConversation,
  removePeople,
} from './conversations/membership.ts';
import {
  listMessages,
  markConversationRead,
  queueText,
  requeueFailedText,
  sendTypingNotice,
} from './conversations/messaging.ts';
import {
  conversationView,
  messageView,
  type ConversationView,
  type MessageView,
} from './store/model.ts';
import { flushOutbox, pendingEntries, type FlushResult } from './outbox/outbox.ts';
import type { SocketFactory } from './transport/push.ts';
import { runDueSelfUpdates } from './conversations/selfUpdate.ts';
import { collectFailures, type SyncFailure } from './sync/failures.ts';
import {
  changePolicy,
  governanceView,
  identityFor,
  targetFor,
  type GovernanceView,
} from './conversations/governance.ts';
import type { Allowed, PolicyAction } from '../governance/policy.ts';
import { setProfile, type ProfileInput } from './conversations/profile.ts';

/** A governance request as a shell states it. */
export type GovernRequest =
  | { op: 'promote' | 'demote'; person: string }
  | { op: 'vote-ban' | 'unvote' | 'unban'; person: string; deviceId?: string }
  | { op: 'permissions'; addMembers: Allowed; editProfile: Allowed };

function actionFor(ctx: EngineContext, r: GovernRequest): PolicyAction {
  switch (r.op) {
    case 'promote':
    case 'demote':
      return { t: r.op, identity: identityFor(ctx, r.person) };
    case 'vote-ban':
      return { t: 'vote', kind: 'ban', target: targetFor(ctx, r.person, r.deviceId) };
    case 'unban':
      return { t: 'vote', kind: 'unban', target: targetFor(ctx, r.person, r.deviceId) };
    case 'unvote':
      return { t: 'unvote', target: targetFor(ctx, r.person, r.deviceId) };
    case 'permissions':
      return { t: 'permissions', addMembers: r.addMembers, editProfile: r.editProfile };
  }
}

export type { SafetyView, SyncFailure };

export interface WhoAmI {
  user: string;
  domain: string;
  address: string;
  admin: boolean;
  deviceId: string;
  server: string;
}

export interface SyncResult {
  processed: number;
  sent: number;
  /** How many things failed: `failures` says which and why. */
  failed: number;
  waiting: number;
  selfUpdates: number;
  failures: SyncFailure[];
  /** Conversations this device was removed from. */
  removedFrom: string[];
}

export class EngineApi {
  protected readonly ctx: EngineContext;
  private readonly background: Background;

  protected constructor(ctx: EngineContext, socketFactory: SocketFactory | undefined) {
    this.ctx = ctx;
    this.background = new Background(ctx, this, socketFactory);
  }

  /** Runs `fn` under the engine lock (for the engine's own factories and tests). */
  run<T>(fn: (ctx: EngineContext) => Promise<T>): Promise<T> {
    return this.ctx.lock.run(() => fn(this.ctx));
  }

  whoami(): WhoAmI {
    const a = this.ctx.account;
    return {
      user: a.user,
      domain: a.domain,
      address: formatAddress(a),
      admin: a.admin,
      deviceId: a.deviceId,
      server: a.server,
    };
  }

  /**
   * Conversations, most recently active first: not the account channel, nor a blocked
   * person's hidden conversation.
   */
  async conversations(): Promise<ConversationView[]> {
    const { all, settings } = await this.run(async (ctx) => ({
      all: await allConversations(ctx.store),
      settings: await readSettings(ctx.store),
    }));
    const me = meOf(this.ctx);
    return all
      .filter((c) => shown(c, settings, me))
      .map((c) => {
        const view = conversationView(c);
        const used = c.peer === null ? undefined : canonicalDirect(all, c.peer);
        return used === undefined || used.id === c.id ? view : { ...view, mergedInto: used.id };
      })
      .sort((a, b) => b.lastActivityAt - a.lastActivityAt);
  }

  async conversation(id: string): Promise<ConversationView> {
    return conversationView(await this.run((ctx) => getConversation(ctx.store, id)));
  }

  /**
   * The one-to-one conversation with `person` (`bob@maison.example`, or `bob` for a user of
   * this instance), created when there is none.
   */
  async openDirect(person: string): Promise<ConversationView> {
    const peer = parsePerson(this.ctx, person);
    if (isMe(this.ctx, peer)) throw new FoyerError('usage', 'that is you');
    const conv = await this.run(async (ctx) => {
      if (isBlocked(await readSettings(ctx.store), formatAddress(peer))) {
        throw new FoyerError('forbidden', `${formatAddress(peer)} is blocked: unblock them first`, {
          reason: 'blocked',
        });
      }
      const existing = await findDirect(ctx, peer);
      if (existing === undefined)
        return createConversation(ctx, 'direct', null, [formatAddress(peer)]);
      // Surface a changed identity key even when the conversation exists (offline is fine).
      await checkUser(ctx, peer).catch((err: unknown) => {
        if (!(err instanceof FoyerError && err.code === 'network')) throw err;
      });
      return existing;
    });
    await this.flush(); // the metadata message for the new members
    return conversationView(conv);
  }

  async createGroup(title: string, members: string[]): Promise<ConversationView> {
    const conv = await this.run((ctx) => createConversation(ctx, 'group', title, members));
    await this.flush();
    return conversationView(conv);
  }

  async addMembers(conversationId: string, names: string[]): Promise<ConversationView> {
    await this.run((ctx) => addPeople(ctx, conversationId, names));
    await this.flush();
    return this.conversation(conversationId);
  }

  async removeMembers(conversationId: string, names: string[]): Promise<ConversationView> {
    await this.run((ctx) => removePeople(ctx, conversationId, names));
    return this.conversation(conversationId);
  }

  /** The members with their roles, the bans and pending votes of a conversation. */
  async governance(conversationId: string): Promise<GovernanceView> {
    return this.run((ctx) => governanceView(ctx, conversationId));
  }

  /**
   * Takes a governance action in a conversation: promote, demote, vote-ban, unvote, unban
   * (a vote to lift a ban), or who may add members and edit the profile.
   * @throws FoyerError forbidden_by_policy (details.rule), usage, invalid_name
   */
  async govern(conversationId: string, request: GovernRequest): Promise<GovernanceView> {
    await this.run(async (ctx) => {
      const action = actionFor(ctx, request);
      await changePolicy(ctx, conversationId, action);
    });
    return this.governance(conversationId);
  }

  /**
   * Sets the group profile (title, description, small picture) of a conversation, as the
   * group policy allows (admins by default).
   * @throws FoyerError forbidden_by_policy, usage, payload_too_large
   */
  async setProfile(conversationId: string, profile: ProfileInput): Promise<ConversationView> {
    await this.run((ctx) => setProfile(ctx, conversationId, profile));
    await this.flush();
    return this.conversation(conversationId);
  }

  /**
   * Removes a conversation from all of this user's devices (leaving it first if still a
   * member, also when already left: the account channel tells the other devices); its
   * history goes too, and later messages and invitations for it are ignored.
   * @throws FoyerError not_found, forbidden_by_policy (the last admin must promote someone),
   *   limit_reached
   */
  async removeConversation(conversationId: string): Promise<void> {
    await this.run(async (ctx) => {
      await removeConversation(ctx, conversationId);
      await publishSettings(ctx);
    });
    await this.flush();
  }

  /**
   * Removes a contact: every one-to-one conversation with `person` (an address, or a bare
   * name of this instance) is removed from all of this user's devices, as
   * `removeConversation` does. They may start a new one later (block prevents that).
   * @returns the ids of the conversations removed
   * @throws FoyerError invalid_name, usage (yourself), forbidden_by_policy, limit_reached
   */
  async removeContact(person: string): Promise<string[]> {
    const peer = this.otherPerson(person);
    const removed = await this.run(async (ctx) => {
      const ids = await removeContact(ctx, peer);
      await publishSettings(ctx);
      return ids;
    });
    await this.flush();
    return removed;
  }

  /**
   * Blocks `person` on all of this user's devices: their one-to-one conversations are
   * removed, a new one they start stays hidden, and their messages are dropped everywhere
   * (they are not told; see docs/groups.md). Opening a conversation with them is refused
   * (`forbidden`, details.reason `blocked`) until `unblock`.
   * @returns the ids of the conversations removed
   * @throws FoyerError invalid_name, usage (yourself), limit_reached
   */
  async block(person: string): Promise<string[]> {
    const peer = this.otherPerson(person);
    const removed = await this.run(async (ctx) => {
      const ids = await blockPerson(ctx, peer);
      await publishSettings(ctx);
      return ids;
    });
    await this.flush();
    return removed;
  }

  /** Lifts the block of `person` on all of this user's devices. @throws invalid_name, usage */
  async unblock(person: string): Promise<void> {
    const peer = this.otherPerson(person);
    await this.run(async (ctx) => {
      await unblockPerson(ctx, peer);
      await publishSettings(ctx);
    });
    await this.flush();
  }

  /** The people this user blocked (addresses, sorted), as this device knows it. */
  async blocked(): Promise<string[]> {
    return this.run(blockedPeople);
  }

  private otherPerson(person: string): Address {
    const peer = parsePerson(this.ctx, person);
    if (isMe(this.ctx, peer)) throw new FoyerError('usage', 'that is you');
    return peer;
  }

  async leave(conversationId: string): Promise<void> {
    await this.run((ctx) => leaveConversation(ctx, conversationId));
  }

  /**
   * Stores a text message in history and the outbox, then sends what is due. Entries still
   * backing off after a failure keep their schedule (a new message waits behind them).
   * @returns the message with its state after that attempt (sent, or still pending)
   */
  async send(conversationId: string, text: string): Promise<MessageView> {
    const m = await this.run((ctx) => queueText(ctx, conversationId, text));
    this.ctx.events.emit({ type: 'message', conversationId, message: messageView(m) });
    await this.flush();
    return this.message(conversationId, m.id);
  }

  /**
   * Sends failed messages of yours again, under the same ids: one (`messageId`), or every
   * failed one of the conversation. They go back to `pending` and into the outbox.
   * @returns the messages with their state after the attempt
   * @throws FoyerError not_found, usage (not a failed message of yours), not_member
   */
  async resend(conversationId: string, messageId?: string): Promise<MessageView[]> {
    const requeued = await this.run((ctx) =>
      requeueFailedText(ctx, conversationId, messageId === undefined ? undefined : [messageId]),
    );
    for (const m of requeued) {
      this.ctx.events.emit({
        type: 'message_state',
        conversationId,
        messageId: m.id,
        state: 'pending',
      });
    }
    await this.flush();
    const out: MessageView[] = [];
    for (const m of requeued) out.push(await this.message(conversationId, m.id));
    return out;
  }

  async message(conversationId: string, id: string): Promise<MessageView> {
    const m = await this.run((ctx) => findMessage(ctx.store, conversationId, id));
    if (m === undefined) throw new FoyerError('not_found', 'no such message');
    return messageView(m);
  }

  /** History, oldest first; `limit` keeps the most recent ones. */
  async messages(conversationId: string, limit?: number): Promise<MessageView[]> {
    return this.run((ctx) => listMessages(ctx, conversationId, limit));
  }

  /** Marks every received message read and tells the senders (read receipts). */
  async markRead(conversationId: string): Promise<number> {
    const n = await this.run((ctx) => markConversationRead(ctx, conversationId));
    if (n > 0) await this.flush();
    return n;
  }

  /** Tells the others this user is typing (ephemeral, not retried). */
  async sendTyping(conversationId: string): Promise<void> {
    await this.run((ctx) => sendTypingNotice(ctx, conversationId));
  }

  /**
   * Fetches and processes everything waiting, then does the housekeeping: commits decided
   * by incoming messages, device changes, key package refill, due self-updates, outbox.
   * @throws FoyerError network when the server cannot be reached
   */
  async sync(): Promise<SyncResult> {
    const { result, failures, removedFrom } = await collectFailures(this.ctx.events, () =>
      this.run(async (ctx) => {
        const processed = await syncMailboxLocked(ctx);
        await ctx.dispatch.runJobs();
        await this.guard(() => reconcileOwnDevices(ctx));
        await this.guard(() => ensureKeyPackages(ctx));
        const selfUpdates = (await this.guard(() => runDueSelfUpdates(ctx))) ?? 0;
        const flush = await flushOutbox(ctx);
        return { processed, sent: flush.sent, waiting: flush.waiting, selfUpdates };
      }),
    );
    return { ...result, failed: failures.length, failures, removedFrom };
  }

  /** Tries to send what the outbox holds (`force`: even entries still backing off). */
  async flush(force = false): Promise<FlushResult> {
    const r = await this.run((ctx) => flushOutbox(ctx, force));
    this.background.outboxChanged(r.nextAttemptAt);
    return r;
  }

  /**
   * Sends what the outbox holds, waiting for each entry's next attempt time, until it is
   * empty or `timeoutMs` has passed (for scripts that must not exit with messages queued).
   */
  async drainOutbox(timeoutMs: number): Promise<FlushResult & { failures: SyncFailure[] }> {
    const deadline = this.ctx.clock.now() + timeoutMs;
    const { result, failures } = await collectFailures(this.ctx.events, async () => {
      for (;;) {
        const r = await this.flush();
        const now = this.ctx.clock.now();
        if (r.nextAttemptAt === undefined || r.nextAttemptAt > deadline || now >= deadline)
          return r;
        await this.ctx.clock.sleep(Math.max(0, r.nextAttemptAt - now));
      }
    });
    return { ...result, failures };
  }

  /** Messages and receipts waiting in the outbox. */
  async outbox(): Promise<
    Array<{
      id: string;
      conversationId: string;
      kind: string;
      attempts: number;
      nextAttemptAt: number;
      lastError: string | null;
    }>
  > {
    return (await this.run(pendingEntries)).map((e) => ({
      id: e.id,
      conversationId: e.conversationId,
      kind: e.kind,
      attempts: e.attempts,
      nextAttemptAt: e.nextAttemptAt,
      lastError: e.lastError,
    }));
  }

  /** The MLS epoch this device is at in a conversation (diagnostics, tests). */
  async epoch(conversationId: string): Promise<number> {
    return this.run(async (ctx) => epochOf(await loadGroup(ctx, ctx.store, conversationId)));
  }

  /** Counters since this engine was opened. */
  stats(): EngineStats {
    return { ...this.ctx.stats };
  }

  async mailboxCursor(): Promise<number> {
    return this.run(readCursor);
  }

  async devices(): Promise<DeviceView[]> {
    return this.run(listDevices);
  }

  /** Revokes another device of this user and removes it from every conversation. */
  async revokeDevice(deviceId: string): Promise<ReconcileResult> {
    return this.run((ctx) => revokeDevice(ctx, deviceId));
  }

  /**
   * Approves a new device showing `code`, then adds it to every conversation once it has
   * uploaded key packages (waiting up to `waitMs`).
   */
  async approveLink(
    code: string,
    waitMs = 120_000,
  ): Promise<{ deviceId: string; conversations: number; pending: boolean }> {
    const deviceId = await this.run((ctx) => approveLinkRequest(ctx, code));
    const deadline = this.ctx.clock.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      const r = await this.run((ctx) => reconcileOwnDevices(ctx));
      await this.flush();
      const pending = r.missing.includes(deviceId);
      if (!pending || this.ctx.clock.now() >= deadline) {
        return {
          deviceId,
          conversations: (await this.conversations()).filter((c) => c.status === 'active').length,
          pending,
        };
      }
      await this.ctx.clock.sleep(Math.min(500 * 2 ** attempt, 5000));
    }
  }

  /** The safety number with `person`, an address or a bare local name (see identity.ts). */
  async safety(person: string): Promise<SafetyView> {
    return this.run((ctx) => safetyWith(ctx, person));
  }

  /** Marks `person` verified (after comparing safety numbers), or unverified. */
  async setVerified(person: string, verified = true): Promise<void> {
    const { user, domain } = parsePerson(this.ctx, person);
    await this.run((ctx) => ctx.trust.setVerified(user, domain, verified));
  }

  /** Checks a safety QR payload scanned from `person`'s screen; marks them verified on a match. */
  async verifySafetyQr(person: string, scanned: string): Promise<boolean> {
    return this.run((ctx) => verifyQr(ctx, person, scanned));
  }

  /** Accepts `person`'s changed identity key (after checking it out of band). */
  async acceptIdentityChange(person: string): Promise<void> {
    await this.run((ctx) => acceptChangedIdentity(ctx, person));
    await this.flush();
  }

  /** Starts live delivery (WebSocket with polling fallback) and the outbox scheduler. */
  start(): void {
    this.background.start();
  }

  /** Stops the background work and closes the store. */
  async close(): Promise<void> {
    await this.background.stop();
    await this.ctx.lock.run(() => this.ctx.store.close());
  }

  /** Runs a housekeeping step; failures other than network ones are reported, not thrown. */
  private async guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof FoyerError && err.code === 'network') throw err;
      this.ctx.events.emit({
        type: 'error',
        code: err instanceof FoyerError ? err.code : 'internal',
        message: err instanceof Error ? err.message : String(err),
      });
      return undefined;
    }
  }
}

export type { ReconcileResult };
