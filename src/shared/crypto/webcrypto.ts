/**
 * WebCrypto key types that resolve under both the DOM and the Node type definitions
 * (Node's types declare `CryptoKey` as a value only).
 */
export type CryptoKeyHandle = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
export interface CryptoKeyPairHandle {
  publicKey: CryptoKeyHandle;
  privateKey: CryptoKeyHandle;
}
