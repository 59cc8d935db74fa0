/**
 * Invites as the admin page sees them. Only a hash of each code is stored, so a listed invite
 * cannot show its link again: the link is shown once, when it is created. Invites are named
 * by their row number instead.
 */
import type { WriteTx } from '../storage/tx.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { InviteListRow, InviteStore } from './store/invites.ts';

export type InviteSummary = InviteListRow;

const LIST_LIMIT = 200;
const USED_SHOWN_MS = 7 * 24 * 3600 * 1000;

/** Invites not yet used and not expired, plus those used in the last week, newest first. */
export function listInvites(store: InviteStore, now = Date.now()): InviteSummary[] {
  return store.listRecent(now, now - USED_SHOWN_MS, LIST_LIMIT);
}

/** Deletes an unused invite so that its link no longer works. @throws FoyerError not_found */
export function revokeInvite(store: InviteStore, tx: WriteTx, id: number): void {
  if (!store.deleteUnused(tx, id)) throw new FoyerError('not_found', 'no such unused invite');
}
