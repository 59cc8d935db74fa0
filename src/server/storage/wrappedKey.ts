/**
 * Passphrase mode: the data key wrapped with AES-256-GCM under a key derived from the
 * passphrase by scrypt (node:crypto). The file is JSON and versioned; the KDF parameters
 * are authenticated as associated data so they cannot be weakened by editing the file.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fromBase64Url, toBase64Url, utf8 } from '../../shared/protocol/bytes.ts';
import { unlockError } from './errors.ts';
import { writeFileExclusive } from './atomicFile.ts';
import { DATA_KEY_LENGTH } from './keyFile.ts';

const WRAPPED_VERSION = 1;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const SALT_LENGTH = 16;

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** About 0.4 s and 128 MiB on a 2020 laptop core; a few seconds on a Raspberry Pi 4. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/** Bounds on parameters read from disk, so a damaged file cannot ask for unbounded memory. */
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;

interface WrappedKeyFile {
  version: typeof WRAPPED_VERSION;
  kdf: { name: 'scrypt'; salt: string } & ScryptParams;
  cipher: 'aes-256-gcm';
  nonce: string;
  ciphertext: string;
}

function scryptMemory(params: ScryptParams): number {
  return 128 * params.N * params.r * params.p;
}

function validParams(params: ScryptParams): boolean {
  const { N, r, p } = params;
  return (
    Number.isInteger(N) &&
    Number.isInteger(r) &&
    Number.isInteger(p) &&
    N >= 2 ** 10 &&
    (N & (N - 1)) === 0 &&
    r >= 1 &&
    r <= 32 &&
    p >= 1 &&
    p <= 16 &&
    scryptMemory(params) <= MAX_SCRYPT_MEMORY
  );
}

function deriveWrappingKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, {
    ...params,
    // Node refuses anything above maxmem (32 MiB by default): allow what the params need.
    maxmem: scryptMemory(params) + 16 * 1024 * 1024,
  });
}

/** The KDF parameters bound into the ciphertext. */
function associatedData(kdf: WrappedKeyFile['kdf']): Uint8Array {
  return utf8(
    `foyer/v1 wrapped data key\0version=${WRAPPED_VERSION};scrypt;N=${kdf.N};r=${kdf.r};p=${kdf.p};salt=${kdf.salt}`,
  );
}

/** Wraps a data key under a passphrase and returns the file text. */
export function wrapDataKey(
  key: Uint8Array,
  passphrase: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): string {
  if (!validParams(params)) throw new RangeError('scrypt parameters out of bounds');
  const salt = randomBytes(SALT_LENGTH);
  const nonce = randomBytes(NONCE_LENGTH);
  const kdf = {
    name: 'scrypt' as const,
    N: params.N,
    r: params.r,
    p: params.p,
    salt: toBase64Url(salt),
  };
  const cipher = createCipheriv('aes-256-gcm', deriveWrappingKey(passphrase, salt, params), nonce, {
    authTagLength: TAG_LENGTH,
  });
  cipher.setAAD(associatedData(kdf));
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final(), cipher.getAuthTag()]);
  const file: WrappedKeyFile = {
    version: WRAPPED_VERSION,
    kdf,
    cipher: 'aes-256-gcm',
    nonce: toBase64Url(nonce),
    ciphertext: toBase64Url(ciphertext),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function parseWrapped(
  text: string,
  path: string,
): WrappedKeyFile & { bytes: { salt: Uint8Array; nonce: Uint8Array; ciphertext: Uint8Array } } {
  const damaged = (why: string) =>
    unlockError(`the wrapped key file ${path} is damaged (${why}); restore it from your backup`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw damaged((err as Error).message);
  }
  if (typeof v !== 'object' || v === null) throw damaged('not a JSON object');
  const f = v as Partial<WrappedKeyFile>;
  if (f.version !== WRAPPED_VERSION) throw damaged(`unknown version ${String(f.version)}`);
  if (f.cipher !== 'aes-256-gcm') throw damaged('unknown cipher');
  const kdf = f.kdf;
  if (typeof kdf !== 'object' || kdf === null || kdf.name !== 'scrypt')
    throw damaged('unknown KDF');
  if (!validParams(kdf)) throw damaged('scrypt parameters out of bounds');
  const salt = typeof kdf.salt === 'string' ? fromBase64Url(kdf.salt) : undefined;
  const nonce = typeof f.nonce === 'string' ? fromBase64Url(f.nonce) : undefined;
  const ciphertext = typeof f.ciphertext === 'string' ? fromBase64Url(f.ciphertext) : undefined;
  if (salt === undefined || salt.length < SALT_LENGTH) throw damaged('bad salt');
  if (nonce?.length !== NONCE_LENGTH) throw damaged('bad nonce');
  if (ciphertext?.length !== DATA_KEY_LENGTH + TAG_LENGTH) throw damaged('bad ciphertext');
  return { ...(f as WrappedKeyFile), bytes: { salt, nonce, ciphertext } };
}

/**
 * Unwraps the data key from a wrapped key file's text.
 * @throws StorageError locked on a wrong passphrase or a damaged file.
 */
export function unwrapDataKey(text: string, passphrase: string, path: string): Uint8Array {
  const f = parseWrapped(text, path);
  const { salt, nonce, ciphertext } = f.bytes;
  const decipher = createDecipheriv(
    'aes-256-gcm',
    deriveWrappingKey(passphrase, salt, f.kdf),
    nonce,
    { authTagLength: TAG_LENGTH },
  );
  decipher.setAAD(associatedData(f.kdf));
  decipher.setAuthTag(ciphertext.subarray(DATA_KEY_LENGTH));
  try {
    const key = Buffer.concat([
      decipher.update(ciphertext.subarray(0, DATA_KEY_LENGTH)),
      decipher.final(),
    ]);
    return new Uint8Array(key);
  } catch (err) {
    // GCM only says "unable to authenticate": a wrong passphrase and an edited file look alike.
    throw unlockError(
      `the passphrase does not open ${path} (${(err as Error).message}): check FOYER_DATA_PASSPHRASE ` +
        'or what you typed; if the passphrase is right, the file is damaged — restore it from your backup',
    );
  }
}

/**
 * Reads and unwraps the wrapped key file.
 * @throws StorageError locked when unreadable, damaged or the passphrase is wrong.
 */
export function readWrappedKeyFile(path: string, passphrase: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw unlockError(`cannot read the wrapped key file ${path} (${(err as Error).message})`);
  }
  return unwrapDataKey(text, passphrase, path);
}

/** Creates the wrapped key file (mode 0600); never replaces an existing one. */
export function createWrappedKeyFile(
  path: string,
  key: Uint8Array,
  passphrase: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): void {
  writeFileExclusive(path, wrapDataKey(key, passphrase, params), 0o600);
}
