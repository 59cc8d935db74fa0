/**
 * The message key of every stable error code. A `Record` over `ErrorCode`: a code added to the
 * protocol without words for it here fails the type check, and the dictionaries' own type makes
 * each key exist in French and English. Kept free of the DOM so a unit test can read it.
 */
import type { ErrorCode } from '../../shared/protocol/errors.ts';
import type { Messages } from './en.ts';

export const ERROR_KEYS: Readonly<Record<ErrorCode, keyof Messages & `error.${string}`>> = {
  bad_request: 'error.bad_request',
  payload_too_large: 'error.payload_too_large',
  invalid_name: 'error.invalid_name',
  unauthenticated: 'error.unauthenticated',
  bad_signature: 'error.bad_signature',
  forbidden: 'error.forbidden',
  not_member: 'error.not_member',
  device_revoked: 'error.device_revoked',
  account_disabled: 'error.account_disabled',
  forbidden_by_policy: 'error.forbidden_by_policy',
  federation_unavailable: 'error.federation_unavailable',
  federation_denied: 'error.federation_denied',
  replayed: 'error.replayed',
  peer_key_changed: 'error.peer_key_changed',
  peer_unreachable: 'error.peer_unreachable',
  not_found: 'error.not_found',
  invite_invalid: 'error.invite_invalid',
  name_taken: 'error.name_taken',
  device_exists: 'error.device_exists',
  instance_full: 'error.instance_full',
  limit_reached: 'error.limit_reached',
  group_exists: 'error.group_exists',
  wrong_epoch: 'error.wrong_epoch',
  duplicate: 'error.duplicate',
  no_key_package: 'error.no_key_package',
  mailbox_full: 'error.mailbox_full',
  storage_full: 'error.storage_full',
  in_use: 'error.in_use',
  rate_limited: 'error.rate_limited',
  usage: 'error.usage',
  locked: 'error.locked',
  identity_changed: 'error.identity_changed',
  crypto_failed: 'error.crypto_failed',
  network: 'error.network',
  bad_reply: 'error.bad_reply',
  corrupt_store: 'error.corrupt_store',
  internal: 'error.internal',
};
