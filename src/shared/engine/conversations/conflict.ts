/**
 * A conversation "in conflict": a commit the group policy forbids reached this device (only
 * a misbehaving hub or server lets one through). The device refused it and stays at the
 * epoch before it; the mark says so until the group moves on with a valid commit, which
 * proves that the hub's order continued without the refused one (docs/groups.md,
 * "Validating commits").
 */
import type { FoyerError } from '../../protocol/errors.ts';
import type { ConversationRecord } from '../store/model.ts';

/** Marks `conv` in conflict with the refusal's reason and rule (the caller stores it). */
export function markConflict(conv: ConversationRecord, refusal: FoyerError): void {
  conv.conflict = refusal.message;
  const rule = refusal.details?.['rule'];
  if (typeof rule === 'string') conv.conflictRule = rule;
  else delete conv.conflictRule;
}

/**
 * Clears the mark once this device applied a valid commit: the one epoch the refused commit
 * claimed now has an accepted commit that every honest member holds, so the refused one can
 * no longer become anyone's shared state. @returns whether there was a mark to clear
 */
export function clearConflict(conv: ConversationRecord): boolean {
  if (conv.conflict === undefined) return false;
  delete conv.conflict;
  delete conv.conflictRule;
  return true;
}
