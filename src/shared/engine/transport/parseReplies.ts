/** Checks the shape of server replies the engine acts on item by item (mailbox pages). */
import type { MailboxItem, MailboxPage } from '../../protocol/api.ts';
import { FoyerError } from '../../protocol/errors.ts';

const KINDS = new Set(['message', 'welcome', 'link']);

function bad(what: string): FoyerError {
  return new FoyerError('internal', `the server sent a malformed ${what}`);
}

/** @throws FoyerError internal when an item is malformed */
export function parseMailboxItem(v: unknown): MailboxItem {
  if (typeof v !== 'object' || v === null) throw bad('mailbox item');
  const o = v as Record<string, unknown>;
  if (
    !Number.isSafeInteger(o.seq) ||
    typeof o.kind !== 'string' ||
    !KINDS.has(o.kind) ||
    typeof o.groupId !== 'string' ||
    typeof o.payload !== 'string' ||
    typeof o.id !== 'string'
  ) {
    throw bad('mailbox item');
  }
  return {
    seq: o.seq as number,
    kind: o.kind as MailboxItem['kind'],
    groupId: o.groupId,
    payload: o.payload,
    id: o.id,
    receivedAt: typeof o.receivedAt === 'number' ? o.receivedAt : 0,
  };
}

/** @throws FoyerError internal when the page is malformed */
export function parseMailboxPage(v: unknown): MailboxPage {
  if (typeof v !== 'object' || v === null) throw bad('mailbox page');
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.items) || !Number.isSafeInteger(o.cursor)) throw bad('mailbox page');
  return {
    items: o.items.map(parseMailboxItem),
    cursor: o.cursor as number,
    more: o.more === true,
  };
}
