/** Turns an error into words for the person, by its stable code. */
import { isErrorCode } from '../../shared/protocol/errors.ts';
import { t } from './index.ts';
import { ERROR_KEYS } from './errorKeys.ts';

/**
 * The person's words for `err`: every stable code has its own text; anything else (a bug, a
 * browser failure) says so with its detail, which helps a report and carries no secret.
 */
export function errorText(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  const detail =
    typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
  if (isErrorCode(code)) return t(ERROR_KEYS[code], { detail });
  return t('error.other', { detail });
}
