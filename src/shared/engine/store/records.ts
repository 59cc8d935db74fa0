/**
 * The encoding of the engine's own records: JSON, with byte strings written as
 * `{"$b": "<base64url>"}`. Every record type carries a `v` (format version) so a later
 * release can migrate what an older one stored.
 */
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';

const BYTES_TAG = '$b';

/** Encodes a JSON-like value that may hold Uint8Array fields. */
export function encodeRecord(value: unknown): Uint8Array {
  return utf8(
    JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Uint8Array ? { [BYTES_TAG]: toBase64Url(v) } : v,
    ),
  );
}

/**
 * Decodes what encodeRecord wrote. The caller checks the record's shape and version.
 * @throws FoyerError corrupt_store when the bytes are not such a record (`cause` says why)
 */
export function decodeRecord(bytes: Uint8Array, what: string): unknown {
  const text = fromUtf8(bytes);
  if (text === undefined) throw corrupt(what, new Error('not UTF-8 text'));
  try {
    return JSON.parse(text, (_key, v: unknown) => {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const tagged = (v as Record<string, unknown>)[BYTES_TAG];
        if (typeof tagged === 'string' && Object.keys(v).length === 1) {
          const b = fromBase64Url(tagged);
          if (b === undefined) throw corrupt(what, new Error('a byte string is not base64url'));
          return b;
        }
      }
      return v;
    }) as unknown;
  } catch (err) {
    // The reviver recurses: a record nested deeper than the stack is corrupt, not a crash.
    if (err instanceof SyntaxError || err instanceof RangeError) throw corrupt(what, err);
    throw err;
  }
}

/** Reads a versioned record, refusing versions this code does not know. */
export function decodeVersioned<T extends { v: number }>(
  bytes: Uint8Array,
  what: string,
  version: number,
): T {
  const value = decodeRecord(bytes, what);
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== version) {
    throw new FoyerError(
      'corrupt_store',
      `the client store holds a ${what} record in an unknown format; was it written by a newer Foyer?`,
    );
  }
  return value as T;
}

function corrupt(what: string, cause: unknown): FoyerError {
  return new FoyerError(
    'corrupt_store',
    `the client store holds a corrupt ${what} record`,
    undefined,
    { cause },
  );
}
