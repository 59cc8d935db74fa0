/** Random identifiers the engine makes: message ids, group ids, device ids. */
import { randomBytes, toBase64Url } from '../../protocol/bytes.ts';

/** Client message ids: 16 random bytes, base64url (the hub accepts 16–64 characters). */
export const MESSAGE_ID_RE = /^[A-Za-z0-9_-]{16,64}$/;

/** Group (conversation) ids: 16 random bytes, base64url (22 characters). */
export const CONVERSATION_ID_RE = /^[A-Za-z0-9_-]{22,86}$/;

export function newMessageId(): string {
  return toBase64Url(randomBytes(16));
}

export function newGroupId(): Uint8Array {
  return randomBytes(16);
}

export function newDeviceId(): string {
  return toBase64Url(randomBytes(16));
}
