/**
 * Safety numbers: what two people compare (read aloud, or one scans the other's QR code) to
 * be sure that the identity keys their devices pinned are each other's real keys.
 *
 * Each side's fingerprint is an iterated SHA-512 over a version, the identity key and the
 * address it belongs to (as in Signal's "numeric fingerprint"); 30 bytes of it become six
 * 5-digit groups. The safety number is both fingerprints, the lower first, so both sides
 * compute the same 60 digits. The QR payload carries the two raw fingerprints in the
 * scanner's expected order check.
 */
import { concatBytes, equalBytes, fromBase64Url, toBase64Url } from '../../protocol/bytes.ts';
import { Writer } from '../../protocol/binary.ts';
import { sha512 } from '@noble/hashes/sha2.js';

const FINGERPRINT_VERSION = 0;
const ITERATIONS = 5200;
const QR_PREFIX = 'foyer-safety:1:';

export interface Party {
  /** `name@domain`. */
  address: string;
  identityKey: Uint8Array;
}

export interface SafetyNumber {
  /** 60 digits in 12 groups of 5, separated by spaces. */
  digits: string;
  /** Text for a QR code; `compareSafetyQr` checks a scanned one. */
  qr: string;
}

/** The 30-byte fingerprint of one party. */
export async function fingerprint(p: Party): Promise<Uint8Array> {
  const keyAndAddress = new Writer().bytes(p.identityKey).string(p.address).finish();
  let hash = concatBytes(Uint8Array.of(0, FINGERPRINT_VERSION), keyAndAddress);
  for (let i = 0; i < ITERATIONS; i++) {
    // Synchronous noble SHA-512: 5200 awaited WebCrypto digests cost ~30 times more.
    hash = sha512(concatBytes(hash, keyAndAddress));
  }
  return hash.slice(0, 30);
}

/** Six groups of five digits from a fingerprint (5 bytes → a number mod 100000 each). */
function digitsOf(fp: Uint8Array): string[] {
  const groups: string[] = [];
  for (let i = 0; i < 30; i += 5) {
    let n = 0;
    for (let j = 0; j < 5; j++) n = n * 256 + fp[i + j]!;
    groups.push(String(n % 100000).padStart(5, '0'));
  }
  return groups;
}

/** The safety number between us and them; the same on both sides. */
export async function safetyNumber(us: Party, them: Party): Promise<SafetyNumber> {
  const ours = await fingerprint(us);
  const theirs = await fingerprint(them);
  const a = digitsOf(ours).join('');
  const b = digitsOf(theirs).join('');
  const all = (a < b ? a + b : b + a).match(/.{5}/g)!;
  return {
    digits: all.join(' '),
    // Scanner's view: the payload says "mine, then yours" from the shower's side.
    qr: QR_PREFIX + toBase64Url(concatBytes(ours, theirs)),
  };
}

/**
 * Checks a QR payload scanned from the other person's screen: it must hold their fingerprint
 * then ours, exactly as we computed them.
 */
export async function compareSafetyQr(us: Party, them: Party, scanned: string): Promise<boolean> {
  if (!scanned.startsWith(QR_PREFIX)) return false;
  const raw = fromBase64Url(scanned.slice(QR_PREFIX.length));
  if (raw === undefined || raw.length !== 60) return false;
  const expected = concatBytes(await fingerprint(them), await fingerprint(us));
  return equalBytes(raw, expected);
}
