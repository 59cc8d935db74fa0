/**
 * Storage failures. They are expected operator mistakes (wrong key, wrong folder, old
 * software), so they carry a stable FoyerError code and a message that says what to check.
 */
import { FoyerError, type ErrorCode } from '../../shared/protocol/errors.ts';

export class StorageError extends FoyerError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'StorageError';
  }
}

/** Every unlock failure starts the same way so that operators and scripts recognise it. */
export function unlockError(reason: string): StorageError {
  return new StorageError('locked', `cannot unlock the database: ${reason}`);
}
