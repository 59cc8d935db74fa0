/**
 * The passphrase key derivation of the client store: Argon2id (RFC 9106) through hash-wasm,
 * which runs the reference implementation as WebAssembly in browsers and Node alike.
 * Defaults follow OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane): about 70 ms in
 * Node on a laptop, so that every CLI command can unlock the store without a daemon. The
 * parameters are stored with the salt, so stronger ones can be chosen per store.
 */
import { argon2id } from 'hash-wasm';
import { FoyerError } from '../../protocol/errors.ts';

export interface KdfParams {
  alg: 'argon2id';
  salt: Uint8Array;
  /** Memory in KiB. */
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export const DEFAULT_KDF = { memoryKiB: 19456, iterations: 2, parallelism: 1 } as const;

/** Bounds so a tampered header cannot make unlocking allocate gigabytes or spin for hours. */
const MAX_MEMORY_KIB = 1024 * 1024;
const MAX_ITERATIONS = 64;

/** Derives the 32-byte store master key. @throws FoyerError locked on out-of-range params */
export async function deriveMasterKey(passphrase: string, p: KdfParams): Promise<Uint8Array> {
  if (
    p.alg !== 'argon2id' ||
    p.salt.length < 16 ||
    p.memoryKiB < 8 * p.parallelism ||
    p.memoryKiB > MAX_MEMORY_KIB ||
    p.iterations < 1 ||
    p.iterations > MAX_ITERATIONS ||
    p.parallelism < 1 ||
    p.parallelism > 16
  ) {
    throw new FoyerError('locked', 'cannot unlock the client store: unsupported key derivation');
  }
  return argon2id({
    password: passphrase,
    salt: p.salt,
    memorySize: p.memoryKiB,
    iterations: p.iterations,
    parallelism: p.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });
}
