/** Turns an error into words for the person, by its stable code. */
import { t, type MessageKey } from './index.ts';

const KNOWN: Readonly<Record<string, MessageKey>> = {
  locked: 'error.locked',
  network: 'error.network',
  invite_invalid: 'error.invite_invalid',
  name_taken: 'error.name_taken',
  invalid_name: 'error.invalid_name',
  instance_full: 'error.instance_full',
  rate_limited: 'error.rate_limited',
  forbidden: 'error.forbidden',
  not_found: 'error.not_found',
  identity_changed: 'error.identity_changed',
};

export function errorText(err: unknown): string {
  const code =
    typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'internal';
  const key = KNOWN[code];
  if (key !== undefined) return t(key);
  const detail =
    typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
  return t('error.other', { detail });
}
