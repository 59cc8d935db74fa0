/**
 * Stable error codes shared by the server API, the client engine and the CLI.
 * The API answers `{ "error": { "code", "message" } }`; clients translate by `code`.
 * Codes never change meaning once released; add new ones instead.
 */
export const errorCodes = {
  // Validation: the request is malformed or out of bounds.
  bad_request: 400,
  payload_too_large: 413,
  invalid_name: 400,
  // Authentication and authorisation.
  unauthenticated: 401,
  bad_signature: 401,
  forbidden: 403,
  not_member: 403,
  device_revoked: 403,
  /** The account is disabled by the household's admin (`foyer user disable`); its data is kept. */
  account_disabled: 403,
  /** A group commit the group's governance policy does not allow (details.rule says which). */
  forbidden_by_policy: 403,
  /** A member of another instance, which this one does not (yet) deliver to. */
  federation_unavailable: 403,
  /** A peer instance refused by this one's administrator (`foyer federation deny`). */
  federation_denied: 403,
  /** A signed federation request already received (same nonce within the replay window). */
  replayed: 409,
  /** A peer whose key differs from the one pinned on first contact. */
  peer_key_changed: 401,
  /** A peer whose discovery document cannot be fetched or is invalid. */
  peer_unreachable: 502,
  // State.
  not_found: 404,
  invite_invalid: 410,
  name_taken: 409,
  device_exists: 409,
  instance_full: 409,
  limit_reached: 409,
  group_exists: 409,
  wrong_epoch: 409,
  duplicate: 409,
  no_key_package: 404,
  mailbox_full: 507,
  storage_full: 507,
  /** The data folder is used by another running server. */
  in_use: 409,
  rate_limited: 429,
  // Local (client-side) failures, never sent by the server.
  usage: 400,
  locked: 423,
  identity_changed: 409,
  crypto_failed: 400,
  network: 503,
  /** The server's reply is malformed, of the wrong shape, or larger than its bound. */
  bad_reply: 502,
  /** The client store cannot be read: a record failed authentication or does not decode. */
  corrupt_store: 500,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** JSON body of every API error. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/**
 * An expected failure with a stable code; `details` carries machine-readable context and
 * `options.cause` the underlying error (the standard `Error.cause`: kept for diagnosis, never
 * sent in an API reply).
 */
export class FoyerError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FoyerError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return errorCodes[this.code];
  }
  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.details !== undefined) body.error.details = this.details;
    return body;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}
