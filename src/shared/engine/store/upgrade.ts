/**
 * Reading records an older Foyer stored. Version 1 of conversations and messages named people
 * by bare user names, all of them local then; version 2 names them by address. An old record
 * is upgraded as it is read (and written back in the new format at its next change).
 */
import type { ConversationRecord, MessageRecord } from './model.ts';

type V1<T> = Omit<T, 'v'> & { v: 1 };

function withDomain(name: string, domain: string): string {
  return name.includes('@') ? name : `${name}@${domain}`;
}

/** A version 1 conversation, its names read as users of `domain` (this account's). */
export function conversationFromV1(c: V1<ConversationRecord>, domain: string): ConversationRecord {
  return {
    ...c,
    v: 2,
    peer: c.peer === null ? null : withDomain(c.peer, domain),
    members: c.members.map((m) => withDomain(m, domain)).sort(),
  };
}

/** A version 1 message, its readers read as users of `domain` (this account's). */
export function messageFromV1(m: V1<MessageRecord>, domain: string): MessageRecord {
  return { ...m, v: 2, readBy: m.readBy.map((r) => withDomain(r, domain)) };
}
