/**
 * The name of the one MLS ciphersuite Foyer speaks, alone in its module: the server checks
 * uploaded key packages against it without loading ts-mls's ciphersuite implementations.
 */
import type { CiphersuiteName } from 'ts-mls';

/** MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (RFC 9420 ciphersuite id 1). */
export const CIPHERSUITE_NAME =
  'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519' satisfies CiphersuiteName;
