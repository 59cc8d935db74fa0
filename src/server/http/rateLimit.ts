/**
 * Token buckets keyed by session or client address. A household server should never be
 * knocked over by one misbehaving client, and still let a person burst a few messages.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly perMinute: number;
  private readonly burst: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(perMinute: number) {
    this.perMinute = perMinute;
    this.burst = Math.max(10, Math.ceil(perMinute / 4));
  }

  /** Takes one token for `key` if there is one; false when `key` is over its rate. */
  tryTake(key: string, now = Date.now()): boolean {
    try {
      this.take(key, now);
      return true;
    } catch (err) {
      if (err instanceof FoyerError && err.code === 'rate_limited') return false;
      throw err;
    }
  }

  /** Takes one token for `key`. @throws FoyerError rate_limited */
  take(key: string, now = Date.now()): void {
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size > 10_000) this.prune(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.perMinute) / 60_000);
    b.at = now;
    if (b.tokens < 1) {
      throw new FoyerError('rate_limited', 'too many requests; slow down', {
        retryAfterMs: Math.ceil(((1 - b.tokens) * 60_000) / this.perMinute),
      });
    }
    b.tokens -= 1;
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.perMinute) / 60_000 >= this.burst) this.buckets.delete(k);
    }
  }
}
