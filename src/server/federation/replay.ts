/**
 * The replay cache: each (origin, nonce) seen within the replay window is refused a second
 * time. Bounded: entries older than the window are dropped (a request that old is refused by
 * its age anyway), and past `max` entries the oldest go first — an attacker who floods it can
 * only make a replay slip through if they can also sign, which only the peer can.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';

export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private readonly windowSeconds: number;
  private readonly max: number;

  constructor(windowSeconds: number, max = 100_000) {
    this.windowSeconds = windowSeconds;
    this.max = max;
  }

  /**
   * Records a nonce.
   * @throws FoyerError replayed when it was already seen within the window
   */
  check(origin: string, nonce: string, nowSeconds: number): void {
    const key = `${origin}\0${nonce}`;
    this.prune(nowSeconds);
    if (this.seen.has(key)) {
      throw new FoyerError('replayed', 'this request was already received');
    }
    this.seen.set(key, nowSeconds);
    if (this.seen.size > this.max) {
      const oldest = this.seen.keys().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(nowSeconds: number): void {
    // Insertion order is arrival order: stop at the first entry still inside the window.
    for (const [key, at] of this.seen) {
      if (at > nowSeconds - this.windowSeconds * 2) break;
      this.seen.delete(key);
    }
  }
}
