/**
 * The deduplication window: the hub remembers that a (group, message id) was accepted, as a
 * 16-byte digest and the day it may be forgotten — not who sent it, nor when exactly. A
 * client retries an unacknowledged submission with the same id for at most 7 days.
 */
import { createHash } from 'node:crypto';
import type { Statement } from '../storage/sqlite.ts';

const DAY_MS = 24 * 3600 * 1000;
/** Days a message id is remembered: the client outbox's 7 days of retries, plus one. */
export const DEDUP_WINDOW_DAYS = 8;

/** The digest stored for a message id in a group (same as migration 0003's). */
export function seenDigest(groupId: Uint8Array, msgId: string): Buffer {
  return createHash('sha256')
    .update('foyer/v1 seen\0')
    .update(groupId)
    .update(`\0${msgId}`)
    .digest()
    .subarray(0, 16);
}

/** True when this message id was accepted in this group within the window. */
export function wasSeen(
  q: (sql: string) => Statement,
  groupId: Uint8Array,
  msgId: string,
): boolean {
  return (
    q('SELECT 1 FROM seen_messages WHERE digest = ?').get(seenDigest(groupId, msgId)) !== undefined
  );
}

/** Remembers an accepted message id. Runs inside the write transaction that accepts it. */
export function markSeen(
  q: (sql: string) => Statement,
  groupId: Uint8Array,
  msgId: string,
  now: number,
): void {
  q('INSERT OR IGNORE INTO seen_messages (digest, forget_day) VALUES (?, ?)').run(
    seenDigest(groupId, msgId),
    Math.floor(now / DAY_MS) + DEDUP_WINDOW_DAYS,
  );
}

/** Forgets the message ids whose window has passed. Runs inside a write transaction. */
export function forgetSeen(q: (sql: string) => Statement, now: number): void {
  q('DELETE FROM seen_messages WHERE forget_day <= ?').run(Math.floor(now / DAY_MS));
}
