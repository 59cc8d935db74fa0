/**
 * The engine's stored records and the views it hands to shells. Record names (`rec`) are
 * logical: EncryptedStore hashes them before they reach the storage. People are named by
 * their full address (`user@domain`) everywhere, wherever their instance is.
 */
import { formatAddress } from '../../protocol/address.ts';

/** Outgoing: pending → sent → delivered → read, or failed. Incoming: received → read. */
/**
 * Where a message is. Ours: pending (in the outbox) → sent (the hub accepted it) → relayed
 * (another instance's server accepted it for its members) → delivered (a device confirmed)
 * → read; or failed, with the reason. Others': received, read.
 */
export type DeliveryState =
  'pending' | 'sent' | 'relayed' | 'delivered' | 'read' | 'failed' | 'received';

export interface StoredKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

/** This device's account: who it is, where its server is, and its private keys. */
export interface AccountRecord {
  v: 1;
  server: string;
  user: string;
  domain: string;
  admin: boolean;
  deviceId: string;
  deviceKey: StoredKeyPair;
  identityKey: StoredKeyPair;
  /** The instance-signed device credential (protocol/credential.ts encoding). */
  credential: Uint8Array;
  /** The instance key pinned at registration. */
  instanceKey: Uint8Array;
  createdAt: number;
}

export type ConversationKind = 'direct' | 'group';

/**
 * `removed`: another member removed this user; `left`: this user left (from this device or
 * another of theirs). Either way the history stays readable and nothing can be sent.
 */
export type ConversationStatus = 'active' | 'removed' | 'left';

export interface ConversationRecord {
  /** 2: members and peer are addresses (1 held bare local names; see upgrade.ts). */
  v: 2;
  /** The MLS group id, base64url. */
  id: string;
  kind: ConversationKind;
  title: string | null;
  /** For a direct conversation: the other person's address. */
  peer: string | null;
  status: ConversationStatus;
  /** Addresses of the people with at least one leaf in the group (this user included), sorted. */
  members: string[];
  createdAt: number;
  lastActivityAt: number;
  unread: number;
  /** Self-update policy bookkeeping (see selfUpdate.ts). */
  lastOwnCommitAt: number;
  sentSinceOwnCommit: number;
  /**
   * Set when a commit the group policy forbids arrived (only a misbehaving hub lets one
   * through): this device stays at the epoch before it instead of diverging silently.
   * Cleared by the next valid commit this device applies (conversations/conflict.ts).
   */
  conflict?: string;
  /** The policy rule the refused commit broke (`remove_forbidden`, `banned`, …). */
  conflictRule?: string;
  /** The group profile whose commitment the group policy holds (re-sent to joiners). */
  profile?: StoredProfile;
  /**
   * Set on the account channel: the group of this user's own devices that carries the
   * account settings (settings/channel.ts). Never shown as a conversation.
   */
  channel?: 'account';
  /**
   * Devices (`user@domain/deviceId`) heard from since they were added (presence.ts); a
   * member none of whose devices is listed shows as invited. Absent on a record stored
   * before this tracking: every member then counts as active.
   */
  heard?: string[];
}

/** A group profile as received (conversations/content.ts ProfileContent). */
export interface StoredProfile {
  t: 'profile';
  salt: string;
  title: string;
  description: string;
  picture: string | null;
}

export interface ConversationIndex {
  v: 1;
  ids: string[];
}

export interface MessageSender {
  user: string;
  domain: string;
  deviceId: string;
}

export interface MessageRecord {
  /** 2: readBy holds addresses (1 held bare local names; see upgrade.ts). */
  v: 2;
  id: string;
  conversationId: string;
  sender: MessageSender;
  outgoing: boolean;
  text: string;
  /** The sender's clock when written. */
  sentAt: number;
  /** This device's clock when stored. */
  receivedAt: number;
  state: DeliveryState;
  reason: string | null;
  /**
   * Devices of other people that confirmed delivery (`user@domain/deviceId`: a device id is
   * unique within its instance only), and the addresses of people who read it.
   */
  deliveredTo: string[];
  readBy: string[];
  /** Set on a line the engine wrote itself (a group decision), never sent by anyone. */
  system?: SystemLine;
}

/**
 * A group decision shown in the history: a ban or unban that carried, with its target
 * (`user@domain`, or `user@domain/deviceId` for one device) and the admins whose votes
 * carried it.
 */
export interface SystemLine {
  t: 'banned' | 'unbanned';
  target: string;
  voters: string[];
}

export interface HistoryIndex {
  v: 1;
  ids: string[];
}

export interface ConversationView {
  id: string;
  kind: ConversationKind;
  title: string | null;
  peer: string | null;
  status: ConversationStatus;
  members: string[];
  unread: number;
  lastActivityAt: number;
  /**
   * Why the conversation is in conflict (a commit the group policy forbids was refused, and
   * this device stays at the state before it), if it is. Cleared by the next valid commit.
   */
  conflict?: string;
  /** The rule the refused commit broke: a stable code (`remove_forbidden`, `banned`, …). */
  conflictRule?: string;
  /**
   * A direct conversation that duplicates another with the same person (both opened one at
   * once): the id of the one both use now. Its history stays readable here.
   */
  mergedInto?: string;
  /** The group profile (title, description, picture as base64url), once one was set. */
  profile?: { title: string; description: string; picture: string | null };
}

export interface MessageView {
  id: string;
  conversationId: string;
  /** The sender's address. */
  sender: string;
  senderDevice: string;
  outgoing: boolean;
  text: string;
  sentAt: number;
  receivedAt: number;
  state: DeliveryState;
  reason: string | null;
  /** A line the engine wrote for a group decision (see SystemLine); `text` says it plainly. */
  system?: SystemLine;
}

/** Logical record names. Ids inside them are random (group ids, message ids, refs). */
export const rec = {
  account: 'account',
  trust: 'trust',
  conversations: 'convs',
  conversation: (id: string) => `conv/${id}`,
  group: (id: string) => `group/${id}`,
  pendingCommit: (id: string) => `pending/${id}`,
  history: (id: string) => `hist/${id}`,
  message: (conversationId: string, id: string) => `msg/${conversationId}/${id}`,
  outbox: 'outbox',
  keyPackages: 'kps',
  keyPackage: (ref: string) => `kp/${ref}`,
  cursor: 'cursor',
  tasks: 'tasks',
  held: (conversationId: string) => `held/${conversationId}`,
  session: 'session',
  settings: 'settings',
} as const;

export function conversationView(c: ConversationRecord): ConversationView {
  return {
    id: c.id,
    kind: c.kind,
    title: c.title,
    peer: c.peer,
    status: c.status,
    members: [...c.members],
    unread: c.unread,
    lastActivityAt: c.lastActivityAt,
    ...(c.conflict === undefined ? {} : { conflict: c.conflict }),
    ...(c.conflictRule === undefined ? {} : { conflictRule: c.conflictRule }),
    ...(c.profile === undefined
      ? {}
      : {
          profile: {
            title: c.profile.title,
            description: c.profile.description,
            picture: c.profile.picture,
          },
        }),
  };
}

export function messageView(m: MessageRecord): MessageView {
  return {
    id: m.id,
    conversationId: m.conversationId,
    sender: formatAddress(m.sender),
    senderDevice: m.sender.deviceId,
    outgoing: m.outgoing,
    text: m.text,
    sentAt: m.sentAt,
    receivedAt: m.receivedAt,
    state: m.state,
    reason: m.reason,
    ...(m.system === undefined ? {} : { system: { ...m.system, voters: [...m.system.voters] } }),
  };
}
