/** Reading and writing conversations, their MLS states and their history in the store. */
import { decodeGroup, encodeGroup, membersOf, type Group } from '../../mls/group.ts';
import { formatAddress } from '../../protocol/address.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import type { EngineContext } from '../core/context.ts';
import { decodeRecord, decodeVersioned } from '../store/records.ts';
import { clearConflict } from './conflict.ts';
import { conversationFromV1, messageFromV1 } from '../store/upgrade.ts';
import {
  rec,
  type AccountRecord,
  type ConversationIndex,
  type ConversationRecord,
  type HistoryIndex,
  type MessageRecord,
} from '../store/model.ts';

type Reader = Pick<StoreTx, 'getRecord' | 'get'>;

export async function conversationIds(r: Reader): Promise<string[]> {
  const index = await r.getRecord<ConversationIndex>(rec.conversations, 'conversation index', 1);
  return index?.ids ?? [];
}

/**
 * Reads a record at `version`, upgrading one stored at version 1 with this account's domain.
 */
async function readUpgrading<T extends { v: number }>(
  r: Reader,
  name: string,
  what: string,
  version: number,
  upgrade: (old: never, domain: string) => T,
): Promise<T | undefined> {
  const bytes = await r.get(name);
  if (bytes === undefined) return undefined;
  const raw = decodeRecord(bytes, what) as { v?: unknown } | null;
  if (raw?.v !== 1) return decodeVersioned<T>(bytes, what, version);
  const account = await r.getRecord<AccountRecord>(rec.account, 'account', 1);
  if (account === undefined) throw new FoyerError('internal', 'the client store holds no account');
  return upgrade(raw as never, account.domain);
}

export async function findConversation(
  r: Reader,
  id: string,
): Promise<ConversationRecord | undefined> {
  return readUpgrading(r, rec.conversation(id), 'conversation', 2, conversationFromV1);
}

/** @throws FoyerError not_found */
export async function getConversation(r: Reader, id: string): Promise<ConversationRecord> {
  const c = await findConversation(r, id);
  if (c === undefined) throw new FoyerError('not_found', 'no such conversation');
  return c;
}

/** @throws FoyerError not_found, not_member (removed from it) */
export async function getActiveConversation(r: Reader, id: string): Promise<ConversationRecord> {
  const c = await getConversation(r, id);
  if (c.status !== 'active') {
    throw new FoyerError('not_member', 'this device is no longer a member of the conversation');
  }
  return c;
}

export async function allConversations(r: Reader): Promise<ConversationRecord[]> {
  const out: ConversationRecord[] = [];
  for (const id of await conversationIds(r)) {
    const c = await findConversation(r, id);
    if (c !== undefined) out.push(c);
  }
  return out;
}

/** Stores a conversation, adding it to the index when new. */
export async function putConversation(tx: StoreTx, c: ConversationRecord): Promise<void> {
  const ids = await conversationIds(tx);
  if (!ids.includes(c.id)) {
    const index: ConversationIndex = { v: 1, ids: [...ids, c.id] };
    tx.putRecord(rec.conversations, index);
  }
  tx.putRecord(rec.conversation(c.id), c);
}

/**
 * Ends this device's part in a conversation it left, keeping the record and the history
 * readable: the MLS state, a pending commit and held messages go (nothing can be read or sent
 * there any more), the record stays, marked `left`. The caller commits.
 */
export async function markLeft(tx: StoreTx, c: ConversationRecord): Promise<void> {
  c.status = 'left';
  // Out of the group, its conflict (conflict.ts) is no longer this device's to resolve.
  clearConflict(c);
  tx.delete(rec.group(c.id)).delete(rec.pendingCommit(c.id)).delete(rec.held(c.id));
  await putConversation(tx, c);
}

/** Forgets a conversation entirely: record, MLS state, pending commit, history. */
export async function deleteConversation(tx: StoreTx, id: string): Promise<void> {
  const ids = await conversationIds(tx);
  tx.putRecord(rec.conversations, { v: 1, ids: ids.filter((x) => x !== id) });
  for (const mid of await historyIds(tx, id)) tx.delete(rec.message(id, mid));
  tx.delete(rec.history(id)).delete(rec.conversation(id)).delete(rec.group(id));
  tx.delete(rec.pendingCommit(id)).delete(rec.held(id));
}

/** @throws FoyerError not_member when this device holds no state for the group */
export async function loadGroup(ctx: EngineContext, r: Reader, id: string): Promise<Group> {
  const bytes = await r.get(rec.group(id));
  if (bytes === undefined) {
    throw new FoyerError('not_member', 'this device holds no group state for the conversation');
  }
  return decodeGroup(bytes, ctx.deps);
}

export function putGroup(tx: StoreTx, id: string, g: Group): void {
  tx.put(rec.group(id), encodeGroup(g));
}

/** Addresses of the people with a leaf in the group, sorted. */
export function memberAddresses(g: Group): string[] {
  return [...new Set(membersOf(g).map((m) => formatAddress(m.credential)))].sort();
}

export async function historyIds(r: Reader, conversationId: string): Promise<string[]> {
  const h = await r.getRecord<HistoryIndex>(rec.history(conversationId), 'history', 1);
  return h?.ids ?? [];
}

export async function findMessage(
  r: Reader,
  conversationId: string,
  id: string,
): Promise<MessageRecord | undefined> {
  return readUpgrading(r, rec.message(conversationId, id), 'message', 2, messageFromV1);
}

/** Appends a new message to its conversation's history. */
export async function appendMessage(tx: StoreTx, m: MessageRecord): Promise<void> {
  const ids = await historyIds(tx, m.conversationId);
  const index: HistoryIndex = { v: 1, ids: [...ids, m.id] };
  tx.putRecord(rec.history(m.conversationId), index);
  tx.putRecord(rec.message(m.conversationId, m.id), m);
}

export function putMessage(tx: StoreTx, m: MessageRecord): void {
  tx.putRecord(rec.message(m.conversationId, m.id), m);
}
