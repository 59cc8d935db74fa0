/**
 * What travels inside an MLS application message. Only text is history; receipts, typing
 * notices and control messages (metadata, leave, joined) are acted on and dropped.
 * Encoded as versioned JSON; parsed once here, bounded, and refused when malformed.
 */
import { fromUtf8, utf8 } from '../../protocol/bytes.ts';
import { MESSAGE_ID_RE } from '../core/ids.ts';
import { parseSettings, type AccountSettings } from '../settings/settingsModel.ts';

export const CONTENT_VERSION = 1;
export const MAX_TEXT_CHARS = 16_000;
export const MAX_TITLE_CHARS = 200;
const MAX_RECEIPT_IDS = 1000;

export type Content =
  | { t: 'text'; id: string; ts: number; text: string }
  | { t: 'receipt'; kind: 'delivered' | 'read'; ids: string[] }
  | { t: 'typing' }
  /**
   * Conversation metadata, re-sent after each add so that joiners learn it. `channel` marks
   * the account channel, the group of the user's own devices (settings/channel.ts).
   */
  | { t: 'meta'; kind: 'direct' | 'group'; title: string | null; channel?: 'account' }
  /** The account settings (removed conversations, blocks), whole: only in the account channel. */
  | { t: 'settings'; settings: AccountSettings }
  /**
   * The sender's user leaves: the first other member to see it removes all their leaves.
   * With `hide`, the user also removed the conversation: their other devices hide it too.
   */
  | { t: 'leave'; hide?: true }
  /**
   * Sent once by a device that processed its Welcome: the others stop showing its person as
   * invited (presence.ts). Carries nothing else.
   */
  | { t: 'joined' }
  /**
   * The group profile. Accepted only when its SHA-256 (over these very bytes) is the
   * commitment the group policy holds, so only an edit the policy allowed takes effect; the
   * random salt keeps the commitment from revealing a guessable title to the hub.
   */
  | ProfileContent;

/** The group profile as it travels between members. */
export interface ProfileContent {
  t: 'profile';
  salt: string;
  title: string;
  description: string;
  /** A small image, base64url, or null. */
  picture: string | null;
}

export const MAX_DESCRIPTION_CHARS = 2000;
/** The picture's bound (bytes, before base64url); the client resizes below it first. */
export const MAX_PICTURE_BYTES = 48 * 1024;
const MAX_PICTURE_CHARS = Math.ceil((MAX_PICTURE_BYTES * 4) / 3);

export function encodeContent(c: Content): Uint8Array {
  return utf8(JSON.stringify({ v: CONTENT_VERSION, ...c }));
}

/** Parses an application payload; undefined when it is not a content this version knows. */
export function decodeContent(bytes: Uint8Array): Content | undefined {
  if (bytes.length > 4 * MAX_TEXT_CHARS + 1024 * 64) return undefined;
  const text = fromUtf8(bytes);
  if (text === undefined) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as Record<string, unknown>;
  if (r.v !== CONTENT_VERSION) return undefined;
  switch (r.t) {
    case 'text':
      if (
        typeof r.id === 'string' &&
        MESSAGE_ID_RE.test(r.id) &&
        Number.isSafeInteger(r.ts) &&
        typeof r.text === 'string' &&
        r.text.length <= MAX_TEXT_CHARS
      ) {
        return { t: 'text', id: r.id, ts: r.ts as number, text: r.text };
      }
      return undefined;
    case 'receipt':
      if (
        (r.kind === 'delivered' || r.kind === 'read') &&
        Array.isArray(r.ids) &&
        r.ids.length <= MAX_RECEIPT_IDS &&
        r.ids.every((id) => typeof id === 'string' && MESSAGE_ID_RE.test(id))
      ) {
        return { t: 'receipt', kind: r.kind, ids: r.ids as string[] };
      }
      return undefined;
    case 'typing':
      return { t: 'typing' };
    case 'joined':
      return { t: 'joined' };
    case 'meta':
      if (
        (r.kind === 'direct' || r.kind === 'group') &&
        (r.title === null || (typeof r.title === 'string' && r.title.length <= MAX_TITLE_CHARS))
      ) {
        return r.channel === 'account'
          ? { t: 'meta', kind: r.kind, title: r.title, channel: 'account' }
          : { t: 'meta', kind: r.kind, title: r.title };
      }
      return undefined;
    case 'settings': {
      const settings = parseSettings(r.settings);
      return settings === undefined ? undefined : { t: 'settings', settings };
    }
    case 'leave':
      return r.hide === true ? { t: 'leave', hide: true } : { t: 'leave' };
    case 'profile':
      if (
        typeof r.salt === 'string' &&
        r.salt.length <= 32 &&
        typeof r.title === 'string' &&
        r.title.length <= MAX_TITLE_CHARS &&
        typeof r.description === 'string' &&
        r.description.length <= MAX_DESCRIPTION_CHARS &&
        (r.picture === null ||
          (typeof r.picture === 'string' && r.picture.length <= MAX_PICTURE_CHARS))
      ) {
        // Same key order as the sender's: re-encoding gives the same bytes.
        return {
          t: 'profile',
          salt: r.salt,
          title: r.title,
          description: r.description,
          picture: r.picture,
        };
      }
      return undefined;
    default:
      return undefined;
  }
}
