/**
 * The storage the engine persists into: an async key-value store of byte records.
 * Shells bring the real one (a folder of files in the CLI, IndexedDB in the browser); the
 * engine never sees plaintext storage directly but goes through EncryptedStore.
 */

/** One write in a batch: a value to store, or `undefined` to delete the record. */
export type StorageWrite = readonly [key: string, value: Uint8Array | undefined];

/** Record keys are short, file-name-safe strings (EncryptedStore hashes its names). */
export const STORAGE_KEY_RE = /^[A-Za-z0-9._-]{1,128}$/;

export interface Storage {
  /** The record stored under `key`, or undefined. */
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Applies every write atomically: after a crash, either all of them or none are visible.
   * The engine relies on this to store a new MLS state together with the history it produced.
   */
  write(writes: readonly StorageWrite[]): Promise<void>;
  /** Every key present (for maintenance and tests; the engine does not list records). */
  keys(): Promise<string[]>;
  /** Releases resources (file locks). */
  close(): Promise<void>;
}

/** In-memory storage, for tests and throwaway sessions. Copies on the way in and out. */
export class MemoryStorage implements Storage {
  readonly records = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    const v = this.records.get(key);
    return v === undefined ? undefined : v.slice();
  }

  async write(writes: readonly StorageWrite[]): Promise<void> {
    for (const [key] of writes) assertStorageKey(key);
    for (const [key, value] of writes) {
      if (value === undefined) this.records.delete(key);
      else this.records.set(key, value.slice());
    }
  }

  async keys(): Promise<string[]> {
    return [...this.records.keys()];
  }

  async close(): Promise<void> {
    // Nothing to release: the records live as long as the object.
  }
}

/** @throws Error on a key outside STORAGE_KEY_RE (a programming error, not user input). */
export function assertStorageKey(key: string): void {
  if (!STORAGE_KEY_RE.test(key)) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
}
