/**
 * Bounded decoding of MLSMessage wire bytes. ts-mls decoders answer `undefined` or throw on
 * malformed input; here both become a FoyerError, and trailing bytes are refused so that one
 * message has exactly one encoding on the wire.
 */
import type { MLSMessage } from 'ts-mls';
// The message codecs alone, not ts-mls's root: the server reads MLS framing but never runs
// MLS, and the root module loads every group operation and HPKE besides (about 10 MiB).
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls/message.js';
import { FoyerError, type ErrorCode } from '../protocol/errors.ts';

/** The largest MLSMessage Foyer decodes (commits of big groups stay far below). */
export const MAX_MLS_MESSAGE_BYTES = 1024 * 1024;

export type Wireformat = MLSMessage['wireformat'];
export type MlsMessageOf<W extends Wireformat> = Extract<MLSMessage, { wireformat: W }>;

/**
 * Decodes one MLSMessage that must fill `bytes` exactly.
 * @throws FoyerError payload_too_large above MAX_MLS_MESSAGE_BYTES; `code` when malformed
 */
export function decodeMls(bytes: Uint8Array, what: string, code: ErrorCode): MLSMessage {
  if (bytes.length > MAX_MLS_MESSAGE_BYTES) {
    throw new FoyerError(
      'payload_too_large',
      `${what} is larger than ${MAX_MLS_MESSAGE_BYTES} bytes`,
    );
  }
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (err) {
    // ts-mls codecs throw CodecError or RangeError on some malformed inputs.
    throw new FoyerError(
      code,
      `malformed ${what}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (decoded === undefined) throw new FoyerError(code, `malformed ${what}`);
  if (decoded[1] !== bytes.length) throw new FoyerError(code, `malformed ${what}: trailing bytes`);
  if (decoded[0].version !== 'mls10')
    throw new FoyerError(code, `${what}: unsupported MLS version`);
  return decoded[0];
}

/**
 * Decodes an MLSMessage of one wire format.
 * @throws FoyerError as decodeMls, and `code` when the wire format differs
 */
export function decodeMlsAs<W extends Wireformat>(
  bytes: Uint8Array,
  wireformat: W,
  what: string,
  code: ErrorCode,
): MlsMessageOf<W> {
  const msg = decodeMls(bytes, what, code);
  if (msg.wireformat !== wireformat) {
    throw new FoyerError(code, `${what}: expected ${wireformat}, got ${msg.wireformat}`);
  }
  return msg as MlsMessageOf<W>;
}

/** Encodes an MLSMessage (always protocol version mls10). */
export function encodeMls(content: MLSMessage): Uint8Array {
  return encodeMlsMessage(content);
}
