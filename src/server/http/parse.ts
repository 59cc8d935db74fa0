/**
 * Boundary parsing: every untrusted JSON body is turned into typed values here, once.
 * Each helper names the field in its error so a client developer knows what to fix.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';
import { fromBase64Url } from '../../shared/protocol/bytes.ts';

export type Json = Record<string, unknown>;

/** The body must be a JSON object. */
export function object(value: unknown, what = 'body'): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FoyerError('bad_request', `${what} must be a JSON object`);
  }
  return value as Json;
}

export function string(o: Json, field: string, opts: { max: number; re?: RegExp }): string {
  const v = o[field];
  if (typeof v !== 'string') throw new FoyerError('bad_request', `${field} must be a string`);
  if (v.length > opts.max) {
    throw new FoyerError('bad_request', `${field} must be at most ${opts.max} characters`);
  }
  if (opts.re !== undefined && !opts.re.test(v)) {
    throw new FoyerError('bad_request', `${field} has an invalid format`);
  }
  return v;
}

export function optionalString(
  o: Json,
  field: string,
  opts: { max: number; re?: RegExp },
): string | undefined {
  return o[field] === undefined ? undefined : string(o, field, opts);
}

/** Base64url bytes of at most `max` decoded bytes (exactly `length` when given). */
export function bytes(o: Json, field: string, opts: { max: number; length?: number }): Uint8Array {
  return bytesValue(o[field], field, opts);
}

/** Like `bytes`, for a value already taken out of its object (array entries). */
export function bytesValue(
  v: unknown,
  field: string,
  opts: { max: number; length?: number },
): Uint8Array {
  if (typeof v !== 'string') {
    throw new FoyerError('bad_request', `${field} must be a base64url string`);
  }
  if (v.length > Math.ceil((opts.max * 4) / 3) + 1) {
    throw new FoyerError('payload_too_large', `${field} must be at most ${opts.max} bytes`);
  }
  const b = fromBase64Url(v);
  if (b === undefined) throw new FoyerError('bad_request', `${field} must be unpadded base64url`);
  if (b.length > opts.max) {
    throw new FoyerError('payload_too_large', `${field} must be at most ${opts.max} bytes`);
  }
  if (opts.length !== undefined && b.length !== opts.length) {
    throw new FoyerError('bad_request', `${field} must be ${opts.length} bytes`);
  }
  return b;
}

export function optionalBytes(
  o: Json,
  field: string,
  opts: { max: number; length?: number },
): Uint8Array | undefined {
  return o[field] === undefined ? undefined : bytes(o, field, opts);
}

export function integer(o: Json, field: string, opts: { min: number; max: number }): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < opts.min || v > opts.max) {
    throw new FoyerError(
      'bad_request',
      `${field} must be an integer from ${opts.min} to ${opts.max}`,
    );
  }
  return v;
}

export function boolean(o: Json, field: string, fallback: boolean): boolean {
  const v = o[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new FoyerError('bad_request', `${field} must be a boolean`);
  return v;
}

export function array(o: Json, field: string, opts: { max: number }): unknown[] {
  const v = o[field];
  if (!Array.isArray(v)) throw new FoyerError('bad_request', `${field} must be an array`);
  if (v.length > opts.max) {
    throw new FoyerError('bad_request', `${field} must hold at most ${opts.max} entries`);
  }
  return v;
}

/** A query-string integer such as `?after=12`. */
export function queryInteger(
  value: unknown,
  field: string,
  opts: { min: number; max: number; fallback: number },
): number {
  if (value === undefined) return opts.fallback;
  if (typeof value !== 'string' || !/^[0-9]{1,16}$/.test(value)) {
    throw new FoyerError('bad_request', `${field} must be a non-negative integer`);
  }
  const n = Number(value);
  if (n < opts.min || n > opts.max) {
    throw new FoyerError('bad_request', `${field} must be from ${opts.min} to ${opts.max}`);
  }
  return n;
}

/** Client message ids: 16 to 64 base64url characters. */
export const MESSAGE_ID_RE = /^[A-Za-z0-9_-]{16,64}$/;
/** Group ids as base64url: 16 to 64 bytes. */
export const GROUP_ID_RE = /^[A-Za-z0-9_-]{22,86}$/;
