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
/**
 * Open link requests: at most MAX_OPEN_LINKS_PER_ADDRESS per client address (IPv4, or IPv6
 * /64), and MAX_OPEN_LINKS in all. Anonymous callers can then only fill their own share: it
 * takes hundreds of addresses within ten minutes to deny linking to the household, where 64
 * requests from one address used to be enough.
 */
export const MAX_OPEN_LINKS = 1024;
export const MAX_OPEN_LINKS_PER_ADDRESS = 4;

export class Links {
  readonly store: LinkStore;
  /** Expiry times of the open requests made from each address group (memory only). */
  private readonly byAddress = new Map<string, number[]>();

  constructor(db: Db) {
    this.store = new LinkStore(db);
  }

  request(
    tx: WriteTx,
    rid: Uint8Array,
    sealed: Uint8Array,
    now: number,
    address = 'unknown',
  ): void {
    this.store.deleteExpired(tx, now);
    for (const [a, list] of this.byAddress) {
      const live = list.filter((e) => e > now);
      if (live.length === 0) this.byAddress.delete(a);
      else this.byAddress.set(a, live);
    }
    const mine = this.byAddress.get(address) ?? [];
    if (mine.length >= MAX_OPEN_LINKS_PER_ADDRESS) {
      throw new FoyerError('rate_limited', 'too many open link requests from this address', {
        retryAfterMs: Math.min(...mine) - now,
      });
    }
    if (this.store.count() >= MAX_OPEN_LINKS) {
      throw new FoyerError('rate_limited', 'too many open link requests');
    }
    const expiresAt = now + LINK_TTL_MS;
    if (!this.store.insert(tx, rid, sealed, expiresAt)) {
      throw new FoyerError('duplicate', 'this link id is already in use');
    }
    this.byAddress.set(address, [...mine, expiresAt]);
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
