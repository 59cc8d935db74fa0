import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rateLimit.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';

test('a bucket allows its burst, refuses past it, and refills with time', () => {
  const rl = new RateLimiter(60); // one a second, burst 15
  const t0 = 1_000_000;
  for (let i = 0; i < 15; i++) rl.take('k', t0);
  assert.throws(
    () => rl.take('k', t0),
    (e: unknown) => e instanceof FoyerError && e.code === 'rate_limited',
  );
  rl.take('other', t0); // buckets are independent
  rl.take('k', t0 + 1000); // one token back after a second
  assert.throws(() => rl.take('k', t0 + 1000));
});
