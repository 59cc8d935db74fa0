/**
 * The deduplication window: the hub remembers that a (group, message id) was accepted, as a
 * 16-byte digest and the day it may be forgotten — not who sent it, nor when exactly. A
 * client retries an unacknowledged submission with the same id for at most 7 days. The
 * rows live in `seen_messages` (hub/store.ts).
 */
import { createHash } from 'node:crypto';

export const DAY_MS = 24 * 3600 * 1000;
/** Days a message id is remembered: the client outbox's 7 days of retries, plus one. */
export const DEDUP_WINDOW_DAYS = 8;

/** The digest stored for a message id in a group (the same as migration 0003's). */
export function seenDigest(groupId: Uint8Array, msgId: string): Buffer {
  return createHash('sha256')
    .update('foyer/v1 seen\0')
    .update(groupId)
    .update(`\0${msgId}`)
    .digest()
    .subarray(0, 16);
}

/** Days since the epoch: the only precision kept for times stored for expiry. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The day a message id accepted at `now` may be forgotten. */
export function forgetDay(now: number): number {
  return dayOf(now) + DEDUP_WINDOW_DAYS;
}
