/**
 * Ed25519 for ts-mls without re-importing keys on every operation.
 *
 * ts-mls's WebCrypto signer imports the PKCS#8 private key before each signature (and the raw
 * public key before each verification), which costs about twice the signature itself in Node.
 * Here an imported signing key is remembered per key *array object* (WeakMap: it lives exactly
 * as long as the group state holding the array), together with a copy of its bytes that is
 * compared on every use, so an array changed or zeroed in place is re-imported rather than
 * served from the cache. Verification goes through crypto/ed25519.ts, which already caches
 * imported public keys and answers false on malformed input.
 */
import type { Signature } from 'ts-mls';
import { verify } from '../crypto/ed25519.ts';
import type { CryptoKeyHandle } from '../crypto/webcrypto.ts';
import { equalBytes } from '../protocol/bytes.ts';

/** PKCS#8 wrapping of an Ed25519 seed, the form WebCrypto exports and ts-mls stores. */
const ED25519_PKCS8_LENGTH = 48;

interface CachedKey {
  readonly bytes: Uint8Array;
  readonly key: CryptoKeyHandle;
}

const ALG = { name: 'Ed25519' } as const;

/** WebCrypto under the DOM typings wants ArrayBuffer-backed views; ts-mls passes such views. */
function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

/**
 * Wraps ts-mls's Ed25519 implementation with an imported-key cache. Keys of any other form
 * (32-byte raw seeds, used only when WebCrypto is absent) go to the wrapped implementation.
 */
export function cachingEd25519(inner: Signature): Signature {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return inner;
  const signingKeys = new WeakMap<Uint8Array, CachedKey>();

  async function signingKey(signKey: Uint8Array): Promise<CryptoKeyHandle> {
    const hit = signingKeys.get(signKey);
    if (hit !== undefined && equalBytes(hit.bytes, signKey)) return hit.key;
    const bytes = signKey.slice();
    const key = await subtle.importKey('pkcs8', bytes, ALG, false, ['sign']);
    signingKeys.set(signKey, { bytes, key });
    return key;
  }

  return {
    async sign(signKey, message) {
      if (signKey.length !== ED25519_PKCS8_LENGTH) return inner.sign(signKey, message);
      const key = await signingKey(signKey);
      return new Uint8Array(await subtle.sign(ALG, key, asBufferSource(message)));
    },
    verify(publicKey, message, signature) {
      return verify(publicKey, message, signature);
    },
    keygen() {
      return inner.keygen();
    },
  };
}
