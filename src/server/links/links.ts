/**
 * Device-linking rendezvous. A new device leaves a sealed request under a random id derived
 * from the code its owner reads; an approving device fetches it and leaves a sealed reply.
 * The server cannot open either (the key also derives from the code) and forgets both
 * after ten minutes.
 */
import type { Db } from '../storage/sqlite.ts';
import type { WriteTx } from '../storage/tx.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { LinkStore, type LinkRow } from './store.ts';

export const LINK_TTL_MS = 10 * 60 * 1000;
export const MAX_LINK_PAYLOAD = 16 * 1024;
export const MAX_OPEN_LINKS = 64;

export class Links {
  readonly store: LinkStore;

  constructor(db: Db) {
    this.store = new LinkStore(db);
  }

  request(tx: WriteTx, rid: Uint8Array, sealed: Uint8Array, now: number): void {
    this.store.deleteExpired(tx, now);
    if (this.store.count() >= MAX_OPEN_LINKS) {
      throw new FoyerError('rate_limited', 'too many open link requests');
    }
    if (!this.store.insert(tx, rid, sealed, now + LINK_TTL_MS)) {
      throw new FoyerError('duplicate', 'this link id is already in use');
    }
  }

  getRequest(rid: Uint8Array, now: number): Uint8Array {
    return this.live(rid, now).request;
  }

  reply(tx: WriteTx, rid: Uint8Array, sealed: Uint8Array, now: number): void {
    const row = this.live(rid, now);
    if (row.reply !== null) throw new FoyerError('duplicate', 'this link was already answered');
    this.store.setReply(tx, rid, sealed);
  }

  getReply(rid: Uint8Array, now: number): Uint8Array {
    const row = this.live(rid, now);
    if (row.reply === null) throw new FoyerError('not_found', 'no reply yet');
    return row.reply;
  }

  private live(rid: Uint8Array, now: number): LinkRow {
    const row = this.store.get(rid);
    if (row === undefined || row.expiresAt <= now) {
      throw new FoyerError('not_found', 'no such link request (it may have expired)');
    }
    return row;
  }
}
