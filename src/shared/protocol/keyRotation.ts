/**
 * Instance key rotation statements: "instance D replaces key OLD by key NEW at time T", signed
 * by OLD. An instance publishes the chain of its statements (oldest first) beside its current
 * key; whoever pinned an earlier key follows the chain from that key to the current one,
 * checking each link, and so accepts only a rotation the key it trusted signed.
 *
 * Used by servers (a peer's pinned key, docs/federation.md) and clients (the keys their
 * credentials are checked against), hence here, without node:* or the DOM.
 */
import { Writer } from './binary.ts';
import { concatBytes, equalBytes, fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { FoyerError } from './errors.ts';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, verify } from '../crypto/ed25519.ts';

const ROTATION_LABEL = utf8('foyer/v1 instance key rotation\0');
/** Most statements a published chain may hold (one rotation a week for 20 years is ~1000). */
export const MAX_ROTATIONS = 1024;

/** One rotation: `oldKey` hands over to `newKey`, at `at` (ms since the epoch). */
export interface KeyRotation {
  oldKey: Uint8Array;
  newKey: Uint8Array;
  at: number;
  /** Ed25519 signature by `oldKey` over {@link rotationSignatureInput}. */
  signature: Uint8Array;
}

/** A rotation as it travels in JSON (discovery, `GET /api/v1/instances/:domain`). */
export interface KeyRotationJson {
  old: string;
  new: string;
  at: number;
  signature: string;
}

/**
 * The bytes the old key signs: a label, both keys and the time. No domain: the old key names
 * the instance (a key is made for one instance and never shared), and the administrator's
 * command then cannot sign for a domain other than the one peers know it by.
 */
export function rotationSignatureInput(
  r: Pick<KeyRotation, 'oldKey' | 'newKey' | 'at'>,
): Uint8Array {
  return concatBytes(
    ROTATION_LABEL,
    new Writer().bytes(r.oldKey).bytes(r.newKey).u64(r.at).finish(),
  );
}

export function rotationToJson(r: KeyRotation): KeyRotationJson {
  return {
    old: toBase64Url(r.oldKey),
    new: toBase64Url(r.newKey),
    at: r.at,
    signature: toBase64Url(r.signature),
  };
}

/**
 * Parses a published chain (an absent one is empty).
 * @throws FoyerError bad_request naming the first malformed statement
 */
export function parseRotations(v: unknown): KeyRotation[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > MAX_ROTATIONS) {
    throw new FoyerError('bad_request', `rotations must be a list of at most ${MAX_ROTATIONS}`);
  }
  return v.map((s: unknown, n) => {
    const o = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    const key = (x: unknown): Uint8Array | undefined =>
      typeof x === 'string' && x.length <= 64 ? fromBase64Url(x) : undefined;
    const oldKey = key(o.old);
    const newKey = key(o.new);
    const signature = typeof o.signature === 'string' ? fromBase64Url(o.signature) : undefined;
    if (
      oldKey?.length !== ED25519_PUBLIC_KEY_LENGTH ||
      newKey?.length !== ED25519_PUBLIC_KEY_LENGTH ||
      signature?.length !== ED25519_SIGNATURE_LENGTH ||
      typeof o.at !== 'number' ||
      !Number.isSafeInteger(o.at) ||
      o.at < 0
    ) {
      throw new FoyerError('bad_request', `rotations[${n}] is malformed`);
    }
    return { oldKey, newKey, at: o.at, signature };
  });
}

/** Why a chain was refused. */
export type ChainRefusal =
  'not_from_pinned_key' | 'broken_link' | 'bad_signature' | 'time_goes_back' | 'not_to_current_key';

/**
 * Follows `chain` from the `pinned` key to `current`: the statement whose old key is the pinned
 * one, then each next statement must start from the previous one's new key, be signed by its
 * old key, not be older than the previous one, and the last must end at `current`.
 * @returns the keys from `pinned` (excluded) to `current` (included), with the statements that
 * link them; empty when `pinned` is `current`
 * @throws FoyerError peer_key_changed with `details.reason` (a {@link ChainRefusal})
 */
export async function followRotations(
  domain: string,
  pinned: Uint8Array,
  current: Uint8Array,
  chain: readonly KeyRotation[],
): Promise<KeyRotation[]> {
  if (equalBytes(pinned, current)) return [];
  const refuse = (reason: ChainRefusal): FoyerError =>
    new FoyerError(
      'peer_key_changed',
      `${domain} shows a key other than the pinned one, not reached by rotations signed from it (${reason})`,
      { domain, reason },
    );
  const start = chain.findIndex((r) => equalBytes(r.oldKey, pinned));
  if (start < 0) throw refuse('not_from_pinned_key');
  const followed: KeyRotation[] = [];
  let key = pinned;
  let at = 0;
  for (const r of chain.slice(start)) {
    if (!equalBytes(r.oldKey, key)) throw refuse('broken_link');
    if (r.at < at) throw refuse('time_goes_back');
    if (!(await verify(r.oldKey, rotationSignatureInput(r), r.signature))) {
      throw refuse('bad_signature');
    }
    followed.push(r);
    key = r.newKey;
    at = r.at;
    if (equalBytes(key, current)) return followed;
  }
  throw refuse('not_to_current_key');
}
