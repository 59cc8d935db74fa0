/** Turns ts-mls exceptions into Foyer's stable error codes. */
import { FoyerError } from '../protocol/errors.ts';

/**
 * Why a message could not be processed, in `details.reason` of the crypto_failed error:
 * - wrong_group: the message belongs to another group;
 * - epoch_too_old: its epoch is older than the retained ones (or a commit for a past epoch);
 * - future_epoch: its epoch is ahead: a commit is missing, process it first;
 * - own_commit: our own commit came back: adopt the pending state instead;
 * - removed: this device was removed from the group;
 * - not_supported: a standalone proposal, or a handshake message sent encrypted;
 * - invalid: anything MLS refused (bad signature, refused credential, bad tag, malformed).
 */
export type ProcessFailure =
  | 'wrong_group'
  | 'epoch_too_old'
  | 'future_epoch'
  | 'own_commit'
  | 'removed'
  | 'not_supported'
  | 'invalid';

/** A crypto_failed error carrying `reason` and context for the engine. */
export function processFailure(
  reason: ProcessFailure,
  message: string,
  details: Record<string, unknown> = {},
): FoyerError {
  return new FoyerError('crypto_failed', message, { reason, ...details });
}

/**
 * Wraps an error thrown while running ts-mls. FoyerErrors (e.g. a trust store that could not
 * reach an instance, or a size limit) pass through unchanged so they keep their own code.
 */
export function cryptoFailure(
  err: unknown,
  what: string,
  details?: Record<string, unknown>,
): FoyerError {
  if (err instanceof FoyerError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new FoyerError('crypto_failed', `${what}: ${why}`, details);
}
