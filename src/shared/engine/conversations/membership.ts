/**
 * Conversations and who is in them. Every conversation is an MLS group with every device of
 * every member as a leaf (this user's other devices included). Adding a person claims one
 * key package per device of theirs; removing one removes all their leaves; leaving is a
 * `leave` message, since MLS does not let a member remove itself.
 */
import {
  addMembers,
  commitPolicy,
  createGroup,
  policyOf,
  groupInfoOf,
  membersOf,
  removeMembers,
  encryptMessage,
  type Group,
} from '../../mls/group.ts';
import { inspectKeyPackageVerified } from '../../mls/inspect.ts';
import { checkInstanceSignatures } from '../../mls/trust.ts';
import { fromBase64Url, toBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { formatAddress, sameAddress, type Address } from '../../protocol/address.ts';
import { askAbout, isMe, myAddress, parsePeople } from '../identity/addresses.ts';
import { isStuckInConflict, runCommit, resolvePendingCommit } from '../sync/commitFlow.ts';
import { encodeContent, MAX_TITLE_CHARS, type Content } from './content.ts';
import { changeSettings, putSettings, readSettings } from '../settings/settingsStore.ts';
import { withRemoved } from '../settings/settingsModel.ts';
import { queueProfile } from './profile.ts';
import type { EngineContext } from '../core/context.ts';
import {
  allConversations,
  deleteConversation,
  findConversation,
  getActiveConversation,
  loadGroup,
  markLeft,
  putConversation,
  putGroup,
} from './conversationStore.ts';
import { newGroupId, newMessageId } from '../core/ids.ts';
import {
  conversationView,
  type ConversationKind,
  type ConversationRecord,
} from '../store/model.ts';
import { dropConversationEntries, enqueue } from '../outbox/outbox.ts';
import { failMessages } from '../sync/application.ts';

/** A claimed key package of one device of the person at `address`. */
export interface Claimed {
  address: Address;
  deviceId: string;
  keyPackage: Uint8Array;
}

/**
 * Looks a person up and checks (or pins, the first time) their identity key.
 * @throws FoyerError not_found, identity_changed, federation_unavailable
 */
export async function checkUser(ctx: EngineContext, person: Address): Promise<void> {
  const info = await askAbout(ctx, person, (name) => ctx.transport.user(name));
  const key = fromBase64Url(info.identityKey);
  if (key === undefined)
    throw new FoyerError('bad_reply', 'the server sent a malformed identity key');
  if (!sameAddress({ user: info.name, domain: info.domain }, person)) {
    throw new FoyerError('bad_reply', 'the server answered about another person');
  }
  await ctx.trust.expectIdentity(person.user, person.domain, key);
}

/**
 * Checks a claimed key package before any group operation: it must verify, carry a Foyer
 * credential for exactly the user and device the server says it is for (a server handing out
 * someone else's package is an attack), signed by that user's identity key and by the
 * instance of its domain, with an identity key the trust store accepts.
 * @returns why it is refused, or undefined when it is acceptable
 */
async function refusal(ctx: EngineContext, c: Claimed): Promise<string | undefined> {
  let credential;
  try {
    credential = (await inspectKeyPackageVerified(c.keyPackage)).credential;
  } catch (err) {
    if (err instanceof FoyerError) return err.message;
    throw err;
  }
  if (!sameAddress(credential, c.address) || credential.deviceId !== c.deviceId) {
    return 'the key package belongs to another user or device';
  }
  const bad = await checkInstanceSignatures(credential, ctx.trust);
  if (bad !== undefined) return bad;
  if (
    !(await ctx.trust.acceptIdentity(credential.user, credential.domain, credential.identityKey))
  ) {
    return 'identity key differs from the pinned one';
  }
  return undefined;
}

/**
 * Claims one key package per device of each user (this user: every other device), keeping
 * only packages that pass `refusal`; each refused one is reported as an error event.
 * @throws FoyerError no_key_package when another user has no device to add; crypto_failed
 *   when every device of another user was refused
 */
export async function claimPackages(ctx: EngineContext, people: Address[]): Promise<Claimed[]> {
  const out: Claimed[] = [];
  for (const address of people) {
    const user = formatAddress(address);
    const claimed = await askAbout(ctx, address, (name) => ctx.transport.claimKeyPackages(name));
    if (claimed.keyPackages.length === 0 && !isMe(ctx, address)) {
      throw new FoyerError('no_key_package', `${user} has no device that can be added right now`, {
        user,
      });
    }
    const reasons: string[] = [];
    let kept = 0;
    for (const kp of claimed.keyPackages) {
      const bytes = fromBase64Url(kp.keyPackage);
      if (bytes === undefined) {
        throw new FoyerError('bad_reply', 'the server sent a malformed key package');
      }
      const c: Claimed = { address, deviceId: kp.deviceId, keyPackage: bytes };
      const why = await refusal(ctx, c);
      if (why === undefined) {
        out.push(c);
        kept++;
        continue;
      }
      reasons.push(why);
      ctx.events.emit({
        type: 'error',
        code: 'crypto_failed',
        message: `refused a device of ${user}: ${why}`,
      });
    }
    if (kept === 0 && reasons.length > 0 && !isMe(ctx, address)) {
      throw new FoyerError('crypto_failed', `every device of ${user} was refused: ${reasons[0]}`, {
        user,
      });
    }
  }
  return out;
}

/**
 * Commits the addition of the claimed devices that are not in the group yet. A package whose
 * credential is refused (forged, or a changed identity) is left out and reported.
 */
export async function commitAdds(
  ctx: EngineContext,
  conversationId: string,
  claimed: Claimed[],
): Promise<boolean> {
  return runCommit(ctx, conversationId, async (group) => {
    const present = new Set(membersOf(group).map((m) => m.credential.deviceId));
    let todo = claimed.filter((c) => !present.has(c.deviceId));
    for (;;) {
      if (todo.length === 0) return null;
      try {
        const output = await addMembers(
          group,
          todo.map((c) => c.keyPackage),
          ctx.deps,
        );
        return { output };
      } catch (err) {
        const index = err instanceof FoyerError ? err.details?.index : undefined;
        if (typeof index !== 'number' || todo[index] === undefined) throw err;
        ctx.events.emit({
          type: 'error',
          code: 'crypto_failed',
          message: `a device of ${formatAddress(todo[index].address)} was not added: ${(err as Error).message}`,
          conversationId,
        });
        todo = todo.filter((_, i) => i !== index);
      }
    }
  });
}

/** The metadata message of a conversation (the account channel says it is one). */
export function metaOf(conv: ConversationRecord): Content {
  return conv.channel === 'account'
    ? { t: 'meta', kind: conv.kind, title: conv.title, channel: 'account' }
    : { t: 'meta', kind: conv.kind, title: conv.title };
}

/** Queues the conversation's metadata for members (and devices) who just joined. */
async function queueMeta(ctx: EngineContext, conv: ConversationRecord): Promise<void> {
  const tx = ctx.store.tx();
  await enqueue(ctx, tx, conv.id, newMessageId(), metaOf(conv));
  await queueProfile(ctx, tx, conv);
  await tx.commit();
}

/**
 * Creates a conversation with `members` (addresses, or bare names of this instance; this user
 * is always in it). `channel`: the account channel (settings/channel.ts), which is never
 * announced as a conversation. Call with the engine lock held.
 * @throws FoyerError invalid_name, not_found, identity_changed, no_key_package,
 *   federation_unavailable
 */
export async function createConversation(
  ctx: EngineContext,
  kind: ConversationKind,
  title: string | null,
  members: string[],
  channel?: 'account',
): Promise<ConversationRecord> {
  const me = myAddress(ctx);
  const others = parsePeople(ctx, members).filter((a) => !isMe(ctx, a));
  if (kind === 'direct' && others.length !== 1) {
    throw new FoyerError('usage', 'a direct conversation is with exactly one other person');
  }
  if (title !== null && title.length > MAX_TITLE_CHARS) {
    throw new FoyerError('usage', `a title has at most ${MAX_TITLE_CHARS} characters`);
  }
  for (const person of others) await checkUser(ctx, person);
  // Claim before creating anything: a person who cannot be added fails the whole creation.
  const claimed = await claimPackages(ctx, [...others, me]);

  const groupId = newGroupId();
  const id = toBase64Url(groupId);
  const group: Group = await createGroup(groupId, ctx.me, ctx.deps);
  await ctx.transport.createGroup({
    groupId: id,
    groupInfo: toBase64Url(await groupInfoOf(group)),
  });
  const now = ctx.clock.now();
  const conv: ConversationRecord = {
    v: 2,
    id,
    kind,
    title,
    peer: kind === 'direct' ? formatAddress(others[0]!) : null,
    status: 'active',
    members: [formatAddress(me)],
    createdAt: now,
    lastActivityAt: now,
    unread: 0,
    lastOwnCommitAt: now,
    sentSinceOwnCommit: 0,
    // Tracked from the start: everyone added from here on is invited until heard from.
    heard: [],
    ...(channel === undefined ? {} : { channel }),
  };
  const tx = ctx.store.tx();
  putGroup(tx, id, group);
  await putConversation(tx, conv);
  await tx.commit();
  await commitAdds(ctx, id, claimed);
  await queueMeta(ctx, conv);
  const stored = await getActiveConversation(ctx.store, id);
  if (channel === undefined) {
    ctx.events.emit({ type: 'conversation_added', conversation: conversationView(stored) });
  }
  return stored;
}

/** The direct conversation with `person`, if this device has an active one. */
export async function findDirect(
  ctx: EngineContext,
  person: Address,
): Promise<ConversationRecord | undefined> {
  const peer = formatAddress(person);
  return canonicalDirect(await allConversations(ctx.store), peer);
}

/**
 * Of the active direct conversations with `peer`, the one both people use: the smallest id.
 * Two people who opened one at the same moment hold two; once both devices know both, every
 * device of both picks the same one, with no message needed (the other keeps its history).
 * One the peer is no longer in (they left or removed it) is not used: a new one is opened.
 */
export function canonicalDirect(
  all: readonly ConversationRecord[],
  peer: string,
): ConversationRecord | undefined {
  let best: ConversationRecord | undefined;
  for (const c of all) {
    if (c.kind !== 'direct' || c.status !== 'active' || c.peer !== peer) continue;
    if (!c.members.includes(peer)) continue;
    if (best === undefined || c.id < best.id) best = c;
  }
  return best;
}

/** Adds people to a conversation (all their devices). Call with the engine lock held. */
export async function addPeople(
  ctx: EngineContext,
  conversationId: string,
  names: string[],
): Promise<void> {
  const conv = await getActiveConversation(ctx.store, conversationId);
  if (conv.kind === 'direct') {
    throw new FoyerError(
      'usage',
      'people cannot be added to a direct conversation; create a group',
    );
  }
  const people = parsePeople(ctx, names).filter((a) => !isMe(ctx, a));
  for (const person of people) await checkUser(ctx, person);
  const claimed = await claimPackages(ctx, people);
  if (await commitAdds(ctx, conversationId, claimed)) await queueMeta(ctx, conv);
}

/** Removes people (all their leaves). Call with the engine lock held. */
export async function removePeople(
  ctx: EngineContext,
  conversationId: string,
  names: string[],
): Promise<boolean> {
  const people = parsePeople(ctx, names);
  if (people.some((a) => isMe(ctx, a))) {
    throw new FoyerError('usage', 'to remove yourself, leave the conversation');
  }
  return runCommit(ctx, conversationId, async (group) => {
    const leaves = membersOf(group)
      .filter((m) => people.some((a) => sameAddress(a, m.credential)))
      .map((m) => m.leaf);
    return leaves.length === 0 ? null : { output: await removeMembers(group, leaves, ctx.deps) };
  });
}

/**
 * Leaves a conversation: tells the others (the first to process it commits the removal of
 * all this user's leaves), then ends this device's part in it: the history stays readable,
 * marked `left`, and texts still waiting to leave are failed. Call with the engine lock held.
 */
export async function leaveConversation(
  ctx: EngineContext,
  conversationId: string,
  hide = false,
): Promise<void> {
  await resolvePendingCommit(ctx, conversationId);
  const conv = await getActiveConversation(ctx.store, conversationId);
  // In a governed group only a leaver recorded in the policy may be removed by any member:
  // record it first (the last admin is refused here and must promote someone).
  const policy = policyOf(await loadGroup(ctx, ctx.store, conversationId));
  let stuck = false;
  if (policy !== undefined && !policy.leaving.includes(formatAddress(myAddress(ctx)))) {
    try {
      await runCommit(ctx, conversationId, async (g) => ({
        output: await commitPolicy(g, { t: 'leave' }, ctx.deps),
      }));
    } catch (err) {
      // In conflict, with the hub past a commit this device refused, no commit can record
      // the leave: leave on this device only, still telling the others (docs/groups.md).
      if (!isStuckInConflict(err)) throw err;
      stuck = true;
    }
  }
  const group = await loadGroup(ctx, ctx.store, conversationId);
  const { group: next, message } = await encryptMessage(
    group,
    encodeContent(hide ? { t: 'leave', hide: true } : { t: 'leave' }),
    ctx.deps,
  );
  // Store the advanced ratchet before sending, as for every message (no key reuse).
  const tx = ctx.store.tx();
  putGroup(tx, conversationId, next);
  await tx.commit();
  await ctx.transport
    .submit(conversationId, { id: newMessageId(), message: toBase64Url(message) })
    .catch((err: unknown) => {
      // The hub that ordered the refused commit may count this device out already.
      if (!(stuck && err instanceof FoyerError && err.code === 'not_member')) throw err;
    });
  const end = ctx.store.tx();
  const reason = 'left the conversation';
  const failed = await failMessages(
    end,
    conversationId,
    await dropConversationEntries(end, conversationId),
    reason,
  );
  await markLeft(end, conv);
  await end.commit();
  for (const messageId of failed) {
    ctx.events.emit({ type: 'message_state', conversationId, messageId, state: 'failed', reason });
  }
  ctx.events.emit({ type: 'conversation_removed', conversationId, reason: 'left' });
}

/**
 * Removes a conversation from this user's devices (seed 002): if still a member, leaves it
 * first (the leave message tells this user's other devices to hide it too) and, when nobody
 * else is left in it, asks the hub to forget the group; then forgets it here, history
 * included, and records it in the account settings, which the account channel carries to the
 * user's other devices (also when the user had already left it). Later messages and
 * invitations for it are ignored. Call with the engine lock held; the caller publishes the
 * settings (settings/channel.ts publishSettings).
 * @throws FoyerError not_found, forbidden_by_policy (the last admin must promote someone),
 *   limit_reached (the settings hold too many removed conversations)
 */
export async function removeConversation(
  ctx: EngineContext,
  conversationId: string,
): Promise<void> {
  const conv = await findConversation(ctx.store, conversationId);
  if (conv === undefined || conv.channel !== undefined) {
    throw new FoyerError('not_found', 'no such conversation');
  }
  // Refuse before leaving: a removal that cannot be recorded must change nothing.
  putSettings(ctx.store.tx(), withRemoved(await readSettings(ctx.store), [conversationId]), true);
  if (conv.status === 'active') {
    const group = await loadGroup(ctx, ctx.store, conversationId);
    const alone = membersOf(group).every((m) => isMe(ctx, m.credential));
    await leaveConversation(ctx, conversationId, true);
    if (alone) {
      await ctx.transport.forgetGroup(conversationId).catch((err: unknown) => {
        // Another device of ours may have asked first; the hub may be another instance's.
        if (!(err instanceof FoyerError) || err.code === 'network') throw err;
      });
    }
  }
  const tx = ctx.store.tx();
  await changeSettings(tx, (s) => withRemoved(s, [conversationId]));
  await dropConversationEntries(tx, conversationId);
  await deleteConversation(tx, conversationId);
  await tx.commit();
  ctx.events.emit({ type: 'conversation_removed', conversationId, reason: 'hidden' });
}
