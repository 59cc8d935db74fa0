/**
 * The device's server session token, kept in the encrypted store so that every CLI run or
 * page load reuses one session until it expires or the server refuses it (then the
 * transport signs in again once and keeps the new token).
 */
import type { EncryptedStore } from '../store/encryptedStore.ts';
import { rec } from '../store/model.ts';
import type { SavedSession, SessionKeeper } from '../transport/transport.ts';

interface SessionRecord {
  v: 1;
  token: string;
  expiresAt: number;
}

/**
 * A SessionKeeper over the store. The record is written alone, outside the engine lock: it
 * is the only writer of that record, and a batch of the engine never reads it.
 */
export function storeSessionKeeper(store: EncryptedStore): SessionKeeper {
  return {
    async load(): Promise<SavedSession | undefined> {
      const r = await store.getRecord<SessionRecord>(rec.session, 'session', 1);
      if (r === undefined || typeof r.token !== 'string' || !Number.isSafeInteger(r.expiresAt))
        return undefined;
      return { token: r.token, expiresAt: r.expiresAt };
    },
    async save(session: SavedSession): Promise<void> {
      const r: SessionRecord = { v: 1, token: session.token, expiresAt: session.expiresAt };
      await store.tx().putRecord(rec.session, r).commit();
    },
  };
}
