/**
 * The encrypted client store: every record the engine keeps (keys, MLS states, history,
 * outbox) is sealed with AES-256-GCM under a key derived from the user's passphrase.
 *
 * - Master key: Argon2id(passphrase, salt) (kdf.ts); from it HKDF-SHA-256 derives a record
 *   key (AES-256-GCM) and a name key (HMAC-SHA-256).
 * - Record names never reach the storage: a record `conv/abc` is stored under
 *   `r` + base64url(HMAC(nameKey, name))[0..27], so a store folder reveals neither user
 *   names nor conversation ids, only how many records there are and their sizes.
 * - Each record is `version(1) ‖ nonce(12) ‖ ciphertext`, with the storage key as associated
 *   data, so records cannot be swapped for one another.
 * - The only plaintext record is `header`: format version, KDF parameters and salt, and a
 *   check value that tells a wrong passphrase from a corrupt record.
 */
import {
  concatBytes,
  fromBase64Url,
  fromUtf8,
  randomBytes,
  toBase64Url,
  utf8,
} from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { CryptoKeyHandle } from '../../crypto/webcrypto.ts';
import { DEFAULT_KDF, deriveMasterKey, type KdfParams } from './kdf.ts';
import { decodeVersioned, encodeRecord } from './records.ts';
import type { Storage, StorageWrite } from './storage.ts';

export const STORE_FORMAT_VERSION = 1;
const RECORD_VERSION = 1;
const HEADER_KEY = 'header';
const CHECK_PLAINTEXT = utf8('foyer/v1 store check');
const NONCE_BYTES = 12;

interface Header {
  v: number;
  kdf: {
    alg: 'argon2id';
    salt: string;
    memoryKiB: number;
    iterations: number;
    parallelism: number;
  };
  check: string;
}

export interface OpenStoreOptions {
  /** Create the store when the storage holds none (registration, linking). */
  create?: boolean;
  /** KDF cost for a new store (tests lower it). */
  kdf?: { memoryKiB: number; iterations: number; parallelism: number };
}

type Bytes = Uint8Array<ArrayBuffer>;

export class EncryptedStore {
  private readonly storage: Storage;
  private readonly recordKey: CryptoKeyHandle;
  private readonly nameKey: CryptoKeyHandle;

  private constructor(storage: Storage, recordKey: CryptoKeyHandle, nameKey: CryptoKeyHandle) {
    this.storage = storage;
    this.recordKey = recordKey;
    this.nameKey = nameKey;
  }

  /** Whether `storage` already holds a client store. */
  static async exists(storage: Storage): Promise<boolean> {
    return (await storage.get(HEADER_KEY)) !== undefined;
  }

  /**
   * Unlocks (or, with `create`, creates) the store in `storage`.
   * @throws FoyerError locked on a wrong passphrase; not_found when there is no store and
   *   `create` is false; usage when creating one with an empty or ill-formed passphrase;
   *   corrupt_store when the header is corrupt.
   */
  static async open(
    storage: Storage,
    passphrase: string,
    opts: OpenStoreOptions = {},
  ): Promise<EncryptedStore> {
    const raw = await storage.get(HEADER_KEY);
    if (raw === undefined) {
      if (opts.create !== true) {
        throw new FoyerError('not_found', 'there is no client store here (register or link first)');
      }
      if (!usablePassphrase(passphrase)) {
        throw new FoyerError('usage', 'the passphrase must be non-empty, well-formed text');
      }
      return EncryptedStore.create(storage, passphrase, opts.kdf ?? DEFAULT_KDF);
    }
    const { kdf, check } = parseHeader(raw);
    // No store is created with such a passphrase: it can only be a wrong one.
    if (!usablePassphrase(passphrase)) {
      throw new FoyerError('locked', 'cannot unlock the client store: wrong passphrase');
    }
    const store = await EncryptedStore.fromMaster(storage, await deriveMasterKey(passphrase, kdf));
    const opened = await store.openBytes(HEADER_KEY, check);
    if (opened === undefined) {
      throw new FoyerError('locked', 'cannot unlock the client store: wrong passphrase');
    }
    return store;
  }

  private static async create(
    storage: Storage,
    passphrase: string,
    cost: { memoryKiB: number; iterations: number; parallelism: number },
  ): Promise<EncryptedStore> {
    const kdf: KdfParams = { alg: 'argon2id', salt: randomBytes(16), ...cost };
    const store = await EncryptedStore.fromMaster(storage, await deriveMasterKey(passphrase, kdf));
    const header: Header = {
      v: STORE_FORMAT_VERSION,
      kdf: { ...kdf, salt: toBase64Url(kdf.salt) },
      check: toBase64Url(await store.sealBytes(HEADER_KEY, CHECK_PLAINTEXT)),
    };
    await storage.write([[HEADER_KEY, encodeRecord(header)]]);
    return store;
  }

  private static async fromMaster(storage: Storage, master: Uint8Array): Promise<EncryptedStore> {
    const base = await crypto.subtle.importKey('raw', master as Bytes, 'HKDF', false, [
      'deriveKey',
    ]);
    const hkdf = (label: string) => ({
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: utf8(label) as Bytes,
    });
    const recordKey = await crypto.subtle.deriveKey(
      hkdf('foyer/v1 store records'),
      base,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
    const nameKey = await crypto.subtle.deriveKey(
      hkdf('foyer/v1 store names'),
      base,
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign'],
    );
    return new EncryptedStore(storage, recordKey, nameKey);
  }

  /** The raw storage key a record name maps to. */
  async storageKey(name: string): Promise<string> {
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', this.nameKey, utf8(name) as Bytes));
    return 'r' + toBase64Url(mac.subarray(0, 20));
  }

  /**
   * The decrypted record `name`, or undefined.
   * @throws FoyerError corrupt_store when it fails authentication (its `cause` says how)
   */
  async get(name: string): Promise<Uint8Array | undefined> {
    const key = await this.storageKey(name);
    const sealed = await this.storage.get(key);
    if (sealed === undefined) return undefined;
    const plain = await this.openSealed(key, sealed);
    if (plain instanceof Error) {
      throw new FoyerError(
        'corrupt_store',
        'a client store record failed authentication (corrupt or tampered)',
        undefined,
        { cause: plain },
      );
    }
    return plain;
  }

  /** Reads a JSON record (records.ts) and checks its version. */
  async getRecord<T extends { v: number }>(
    name: string,
    what: string,
    version: number,
  ): Promise<T | undefined> {
    const bytes = await this.get(name);
    return bytes === undefined ? undefined : decodeVersioned<T>(bytes, what, version);
  }

  /**
   * Removes the header of a store that was just created and holds nothing else (a failed
   * registration), so that the next attempt may choose another passphrase.
   */
  async discardEmpty(): Promise<void> {
    const keys = await this.storage.keys();
    if (keys.some((k) => k !== HEADER_KEY)) {
      throw new FoyerError('internal', 'refusing to discard a client store that holds records');
    }
    await this.storage.write([[HEADER_KEY, undefined]]);
  }

  /** Starts a batch of writes that lands atomically on commit. */
  tx(): StoreTx {
    return new StoreTx(this);
  }

  async close(): Promise<void> {
    await this.storage.close();
  }

  /** @internal used by StoreTx */
  async writeSealed(writes: Map<string, Uint8Array | undefined>): Promise<void> {
    const out: StorageWrite[] = [];
    for (const [name, value] of writes) {
      const key = await this.storageKey(name);
      out.push([key, value === undefined ? undefined : await this.sealBytes(key, value)]);
    }
    if (out.length > 0) await this.storage.write(out);
  }

  private async sealBytes(key: string, plain: Uint8Array): Promise<Uint8Array> {
    const nonce = randomBytes(NONCE_BYTES);
    const ct = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce as Bytes, additionalData: aad(key) },
      this.recordKey,
      plain as Bytes,
    );
    return concatBytes(Uint8Array.of(RECORD_VERSION), nonce, new Uint8Array(ct));
  }

  /** Undefined when authentication fails (wrong key, tampering, truncation). */
  private async openBytes(key: string, sealed: Uint8Array): Promise<Uint8Array | undefined> {
    const r = await this.openSealed(key, sealed);
    return r instanceof Uint8Array ? r : undefined;
  }

  /** The plaintext, or why it cannot be had (wrong key, tampering, truncation). */
  private async openSealed(key: string, sealed: Uint8Array): Promise<Uint8Array | Error> {
    if (sealed.length < 1 + NONCE_BYTES + 16)
      return new Error(`sealed record of ${sealed.length} bytes is too short`);
    if (sealed[0] !== RECORD_VERSION)
      return new Error(`sealed record has unknown version ${sealed[0]}`);
    try {
      return new Uint8Array(
        await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: sealed.slice(1, 1 + NONCE_BYTES), additionalData: aad(key) },
          this.recordKey,
          sealed.slice(1 + NONCE_BYTES),
        ),
      );
    } catch (err) {
      // WebCrypto reports a failed tag check as OperationError; anything else is a bug.
      if (err instanceof Error && err.name === 'OperationError') return err;
      throw err;
    }
  }
}

/**
 * Argon2 refuses an empty passphrase, and UTF-8 turns every lone surrogate into U+FFFD, so
 * two different ill-formed passphrases would derive the same key.
 */
function usablePassphrase(passphrase: string): boolean {
  return passphrase !== '' && fromUtf8(utf8(passphrase)) === passphrase;
}

/**
 * Reads the plaintext header, checking every field's type: it is the one record that no key
 * authenticates. @throws FoyerError corrupt_store when it is corrupt
 */
function parseHeader(raw: Uint8Array): { kdf: KdfParams; check: Uint8Array } {
  const header = decodeVersioned<Header>(raw, 'store header', STORE_FORMAT_VERSION);
  const k: unknown = header.kdf;
  const corrupt = new FoyerError('corrupt_store', 'the client store header is corrupt');
  if (typeof k !== 'object' || k === null || typeof header.check !== 'string') throw corrupt;
  const { alg, salt, memoryKiB, iterations, parallelism } = k as Record<string, unknown>;
  if (
    alg !== 'argon2id' ||
    typeof salt !== 'string' ||
    !Number.isSafeInteger(memoryKiB) ||
    !Number.isSafeInteger(iterations) ||
    !Number.isSafeInteger(parallelism)
  ) {
    throw corrupt;
  }
  const saltBytes = fromBase64Url(salt);
  const check = fromBase64Url(header.check);
  if (saltBytes === undefined || check === undefined) throw corrupt;
  return {
    kdf: {
      alg,
      salt: saltBytes,
      memoryKiB: memoryKiB as number,
      iterations: iterations as number,
      parallelism: parallelism as number,
    },
    check,
  };
}

function aad(key: string): Bytes {
  return utf8(`foyer/v1 record\0${key}`) as Bytes;
}

/** A set of writes applied atomically; reads see the pending writes first. */
export class StoreTx {
  private readonly store: EncryptedStore;
  private readonly pending = new Map<string, Uint8Array | undefined>();

  constructor(store: EncryptedStore) {
    this.store = store;
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    if (this.pending.has(name)) return this.pending.get(name);
    return this.store.get(name);
  }

  async getRecord<T extends { v: number }>(
    name: string,
    what: string,
    version: number,
  ): Promise<T | undefined> {
    const bytes = await this.get(name);
    return bytes === undefined ? undefined : decodeVersioned<T>(bytes, what, version);
  }

  put(name: string, value: Uint8Array): this {
    this.pending.set(name, value);
    return this;
  }

  putRecord<T extends { v: number }>(name: string, value: T): this {
    return this.put(name, encodeRecord(value));
  }

  delete(name: string): this {
    this.pending.set(name, undefined);
    return this;
  }

  /** Moves this transaction's pending writes into `other` (which commits them). */
  mergeInto(other: StoreTx): void {
    for (const [name, value] of this.pending) {
      if (value === undefined) other.delete(name);
      else other.put(name, value);
    }
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }

  /** Writes everything at once; afterwards the transaction starts empty and can be reused. */
  async commit(): Promise<void> {
    await this.store.writeSealed(this.pending);
    this.pending.clear();
  }
}
