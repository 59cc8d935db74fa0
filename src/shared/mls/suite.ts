/**
 * The one MLS ciphersuite Foyer speaks: MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (id 1),
 * built by ts-mls on WebCrypto. Ed25519 signing goes through a small key cache (see
 * signingKeyCache.ts) because ts-mls re-imports the private key for every signature.
 */
import { getCiphersuiteFromName, getCiphersuiteImpl, type CiphersuiteImpl } from 'ts-mls';
import { cachingEd25519 } from './signingKeyCache.ts';
import { CIPHERSUITE_NAME } from './suiteName.ts';

export { CIPHERSUITE_NAME } from './suiteName.ts';

let cached: Promise<CiphersuiteImpl> | undefined;

async function build(): Promise<CiphersuiteImpl> {
  const impl = await getCiphersuiteImpl(getCiphersuiteFromName(CIPHERSUITE_NAME));
  return { ...impl, signature: cachingEd25519(impl.signature) };
}

/** The cached ciphersuite-1 implementation (built once per process or page). */
export function getSuite(): Promise<CiphersuiteImpl> {
  if (cached === undefined) {
    const building = build();
    cached = building;
    // A failed build (no WebCrypto Ed25519, say) must not stay cached: the next call retries.
    building.catch(() => {
      if (cached === building) cached = undefined;
    });
  }
  return cached;
}
