/**
 * The engine's Storage over IndexedDB: one object store of byte records. The engine puts an
 * EncryptedStore over it, so every value here is sealed (AES-256-GCM) under hashed names; the
 * only plaintext record is the store header (KDF parameters and salt).
 *
 * A batch of writes is one IndexedDB transaction, which is atomic: after a crash or a closed
 * tab either all of it or none of it is visible, as the Storage contract requires.
 */
import { assertStorageKey, type Storage, type StorageWrite } from '../lib/storageContract.ts';

export const DB_NAME = 'foyer';
const STORE = 'records';
/** The plaintext header record written by the engine's EncryptedStore. */
const HEADER_KEY = 'header';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** Opens (creating when needed) the database that holds the store. */
export function openDatabase(name = DB_NAME): Promise<IDBDatabase> {
  const req = indexedDB.open(name, 1);
  req.onupgradeneeded = () => {
    req.result.createObjectStore(STORE);
  };
  return request(req);
}

/** Whether this browser already holds a Foyer store (an account to unlock). */
export async function storeExists(name = DB_NAME): Promise<boolean> {
  const db = await openDatabase(name);
  try {
    const tx = db.transaction(STORE, 'readonly');
    return (await request(tx.objectStore(STORE).count(HEADER_KEY))) > 0;
  } finally {
    db.close();
  }
}

/** Deletes the whole store (sign out of this browser): the keys are gone for good. */
export async function deleteStore(name = DB_NAME): Promise<void> {
  await request(indexedDB.deleteDatabase(name));
}

export class IdbStorage implements Storage {
  private readonly db: IDBDatabase;

  private constructor(db: IDBDatabase) {
    this.db = db;
  }

  static async open(name = DB_NAME): Promise<IdbStorage> {
    return new IdbStorage(await openDatabase(name));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const tx = this.db.transaction(STORE, 'readonly');
    const value: unknown = await request(tx.objectStore(STORE).get(key));
    return value instanceof Uint8Array ? value : undefined;
  }

  async write(writes: readonly StorageWrite[]): Promise<void> {
    for (const [key] of writes) assertStorageKey(key);
    const tx = this.db.transaction(STORE, 'readwrite', { durability: 'strict' });
    const store = tx.objectStore(STORE);
    for (const [key, value] of writes) {
      if (value === undefined) store.delete(key);
      else store.put(value.slice(), key);
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
    });
  }

  async keys(): Promise<string[]> {
    const tx = this.db.transaction(STORE, 'readonly');
    const keys = await request(tx.objectStore(STORE).getAllKeys());
    return keys.filter((k): k is string => typeof k === 'string');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
