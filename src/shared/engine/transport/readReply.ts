/**
 * Reading a reply body with a size bound, as the server bounds request bodies: a server (or
 * anything posing as one) cannot make the client buffer more than the bound. A longer reply
 * is cut — the rest is never read — and refused as `bad_reply`.
 */
import { FoyerError } from '../../protocol/errors.ts';
import { badReply } from './replyFields.ts';

/** The bound for every reply but a mailbox page. */
export const MAX_REPLY_BYTES = 1024 * 1024;
/**
 * A mailbox page carries at most 1 MiB of payload past its first item, which may be an MLS
 * message of 512 KiB: 1.5 MiB, 2 MiB in base64url, and its JSON framing (at most 500 items)
 * stays well under 4 MiB.
 */
export const MAX_PAGE_REPLY_BYTES = 4 * 1024 * 1024;

/**
 * The reply body as text, at most `maxBytes` of well-formed UTF-8.
 * @throws FoyerError bad_reply (too large, not UTF-8), network (the connection broke)
 */
export async function readBoundedText(
  res: Response,
  maxBytes: number,
  what: string,
): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(what, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body !== null) {
    const reader = res.body.getReader();
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw new FoyerError(
          'network',
          `the connection to the server broke while reading ${what}`,
          undefined,
          { cause: err },
        );
      }
      if (chunk.done) break;
      // fetch's body yields bytes; some type definitions leave the chunk type open.
      const value: unknown = chunk.value;
      if (!(value instanceof Uint8Array)) throw new Error('a reply body chunk is not bytes');
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge(what, maxBytes);
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    throw badReply(what, 'not UTF-8 text', err);
  }
}

function tooLarge(what: string, maxBytes: number): FoyerError {
  return badReply(what, `larger than ${maxBytes} bytes (cut and refused)`);
}
