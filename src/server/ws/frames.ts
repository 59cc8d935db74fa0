/** Parsing of the frames a device sends over its WebSocket, before any op is looked at. */
import { FoyerError } from '../../shared/protocol/errors.ts';
import { object, type Json } from '../http/parse.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A client frame: a JSON object in a text frame.
 * @throws FoyerError bad_request for a binary frame, malformed UTF-8 or JSON, or a non-object
 */
export function parseClientFrame(data: Uint8Array, isBinary: boolean): Json {
  if (isBinary) throw new FoyerError('bad_request', 'frames must be JSON text');
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    // TextDecoder's TypeError and JSON's SyntaxError both mean the client sent garbage.
    throw new FoyerError('bad_request', 'frame is not valid JSON');
  }
  return object(value, 'frame');
}
