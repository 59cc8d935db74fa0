/**
 * The encrypted channel of device linking. The new device shows a short code; the code
 * alone determines both the rendezvous id (`rid`, what the server files the payloads
 * under) and the AES-256-GCM key that seals them, so the server relays sealed bytes it
 * cannot open. The code carries 80 random bits: an offline search of the key space is out
 * of reach, and the rendezvous expires after 10 minutes anyway, so HKDF-SHA-256 (not a
 * slow password hash) derives both values.
 */
import {
  concatBytes,
  fromBase64Url,
  randomBytes,
  toBase64Url,
  utf8,
} from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';

/** Crockford's base32 alphabet: no I, L, O, U, so the code survives being read aloud. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_CHARS = 16;
const QR_PREFIX = 'foyer-link:1:';
const NONCE_BYTES = 12;

export type LinkDirection = 'request' | 'reply';

export interface LinkChannel {
  /** The code as shown: four groups of four characters. */
  code: string;
  /** Rendezvous id: 32 bytes, base64url. */
  rid: string;
  key: Uint8Array;
}

/** A fresh code for a new device (80 random bits). */
export function newLinkCode(): string {
  const bytes = randomBytes(CODE_CHARS);
  let code = '';
  // 256 is a multiple of 32: taking each byte modulo 32 is unbiased.
  for (const b of bytes) code += ALPHABET[b % 32]!;
  return formatCode(code);
}

function formatCode(raw: string): string {
  return raw.match(/.{4}/g)!.join('-');
}

/**
 * Normalises a typed code: case, spaces and dashes do not matter, and the look-alikes
 * I/L → 1 and O → 0 are corrected. @throws FoyerError usage when it is not a link code
 */
export function parseLinkCode(input: string): string {
  const raw = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (raw.length !== CODE_CHARS || [...raw].some((c) => !ALPHABET.includes(c))) {
    throw new FoyerError('usage', 'not a link code (16 characters, like ABCD-EFGH-JKMN-PQRS)');
  }
  return formatCode(raw);
}

/** Derives the rendezvous id and channel key from a code. @throws FoyerError usage */
export async function linkChannel(codeInput: string): Promise<LinkChannel> {
  const code = parseLinkCode(codeInput);
  const ikm = await crypto.subtle.importKey(
    'raw',
    buf(utf8(code.replace(/-/g, ''))),
    'HKDF',
    false,
    ['deriveBits'],
  );
  const derive = async (info: string) =>
    new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: 'HKDF', hash: 'SHA-256', salt: buf(utf8('foyer/v1 link')), info: buf(utf8(info)) },
        ikm,
        256,
      ),
    );
  return {
    code,
    rid: toBase64Url(await derive('rendezvous id')),
    key: await derive('channel key'),
  };
}

/** WebCrypto's typings want ArrayBuffer-backed views; ours always are. */
function buf(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b as Uint8Array<ArrayBuffer>;
}

function aad(ch: LinkChannel, direction: LinkDirection): Uint8Array<ArrayBuffer> {
  return buf(utf8(`foyer/v1 link ${direction}\0${ch.rid}`));
}

async function aesKey(ch: LinkChannel, use: 'encrypt' | 'decrypt') {
  return crypto.subtle.importKey('raw', ch.key as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [use]);
}

/** Seals a payload for one direction of the channel; returns base64url. */
export async function sealLink(
  ch: LinkChannel,
  direction: LinkDirection,
  plaintext: Uint8Array,
): Promise<string> {
  const nonce = randomBytes(NONCE_BYTES);
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce as Uint8Array<ArrayBuffer>, additionalData: aad(ch, direction) },
    await aesKey(ch, 'encrypt'),
    plaintext as Uint8Array<ArrayBuffer>,
  );
  return toBase64Url(concatBytes(nonce, new Uint8Array(ct)));
}

/**
 * Opens a sealed payload. @throws FoyerError crypto_failed when it was not sealed with this
 * code for this direction (a wrong code, or a payload from someone else)
 */
export async function openLink(
  ch: LinkChannel,
  direction: LinkDirection,
  sealed: string,
): Promise<Uint8Array> {
  const raw = fromBase64Url(sealed);
  if (raw === undefined || raw.length < NONCE_BYTES + 16 || raw.length > 64 * 1024) {
    throw new FoyerError('crypto_failed', 'malformed link payload');
  }
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: raw.slice(0, NONCE_BYTES), additionalData: aad(ch, direction) },
        await aesKey(ch, 'decrypt'),
        raw.slice(NONCE_BYTES),
      ),
    );
  } catch (err) {
    if (err instanceof Error && err.name === 'OperationError') {
      throw new FoyerError('crypto_failed', 'the link payload does not open with this code');
    }
    throw err;
  }
}

/** The QR payload a new device shows: its server and the code. */
export function linkQrPayload(server: string, code: string): string {
  return `${QR_PREFIX}${server}#${code}`;
}

/** Reads a scanned QR payload back. @throws FoyerError usage */
export function parseLinkQr(payload: string): { server: string; code: string } {
  const hash = payload.lastIndexOf('#');
  if (!payload.startsWith(QR_PREFIX) || hash < 0) {
    throw new FoyerError('usage', 'not a Foyer link QR payload');
  }
  return {
    server: payload.slice(QR_PREFIX.length, hash),
    code: parseLinkCode(payload.slice(hash + 1)),
  };
}
