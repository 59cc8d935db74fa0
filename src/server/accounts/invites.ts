/**
 * Invites: single-use codes that let one person register. Only a hash of the code is
 * stored, so a copy of the database does not hand out accounts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WriteTx } from '../storage/tx.ts';
import type { InviteStore } from './store/invites.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { toBase64Url } from '../../shared/protocol/bytes.ts';

export const INVITE_CODE_RE = /^[A-Za-z0-9_-]{22}$/;
export const DEFAULT_INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

export interface Invite {
  code: string;
  admin: boolean;
  expiresAt: number;
}

function hashCode(code: string): Buffer {
  return createHash('sha256').update(`foyer/v1 invite\0${code}`).digest();
}

/** Creates an invite and returns its code (shown once; only its hash is kept). */
export function createInvite(
  store: InviteStore,
  tx: WriteTx,
  opts: { admin: boolean; ttlMs?: number; now?: number },
): Invite {
  const now = opts.now ?? Date.now();
  const code = toBase64Url(randomBytes(16));
  const expiresAt = now + (opts.ttlMs ?? DEFAULT_INVITE_TTL_MS);
  store.insert(tx, { codeHash: hashCode(code), admin: opts.admin, createdAt: now, expiresAt });
  return { code, admin: opts.admin, expiresAt };
}

/**
 * Checks that an invite can be redeemed, without using it. Registration checks this before
 * anything else, and every failure reads the same, so that a request without a valid invite
 * learns nothing (not whether a name is taken, nor why the invite is refused).
 * @throws FoyerError invite_invalid when unknown, used or expired.
 */
export function checkInvite(
  store: InviteStore,
  code: string,
  now = Date.now(),
): { admin: boolean } {
  const row = INVITE_CODE_RE.test(code) ? store.get(hashCode(code)) : undefined;
  if (row === undefined || row.usedAt !== null || row.expiresAt <= now) {
    throw new FoyerError('invite_invalid', 'this invite is not valid (unknown, used or expired)');
  }
  return { admin: row.admin };
}

/**
 * Marks an invite used. Call inside the registration transaction so that a failed
 * registration leaves the invite usable.
 * @throws FoyerError invite_invalid when unknown, used or expired.
 */
export function redeemInvite(
  store: InviteStore,
  tx: WriteTx,
  code: string,
  now = Date.now(),
): { admin: boolean } {
  const invite = checkInvite(store, code, now);
  store.deleteUsed(tx, hashCode(code));
  return invite;
}

/** The link a person opens (or pastes into `foyer client register`) to join. */
export function inviteUrl(publicUrl: string, code: string): string {
  return `${publicUrl.replace(/\/$/, '')}/join#${code}`;
}
