import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterTransientFailure, isDue, type OutboxSchedule } from './outboxSchedule.ts';

const DAY = 24 * 3600_000;
const S: OutboxSchedule = { retryBaseMs: 1000, retryMaxMs: 5 * 60_000, maxSendAgeMs: 7 * DAY };

test('an entry is due at its stored time, not before (unless forced)', () => {
  const e = { createdAt: 0, attempts: 2, nextAttemptAt: 10_000 };
  assert.equal(isDue(e, 9_999, false), false);
  assert.equal(isDue(e, 10_000, false), true);
  assert.equal(isDue(e, 0, true), true);
  assert.equal(isDue({ ...e, nextAttemptAt: 0 }, 0, false), true);
});

test('transient failures back off exponentially up to the ceiling, never giving up early', () => {
  let e = { createdAt: 0, attempts: 0, nextAttemptAt: 0 };
  let now = 0;
  const delays: number[] = [];
  for (let i = 0; i < 100; i++) {
    const next = afterTransientFailure(e, now, S, 'network: down');
    assert.equal(next.kind, 'retry', `attempt ${i + 1} still retries`);
    if (next.kind !== 'retry') return;
    const delay = next.nextAttemptAt - now;
    delays.push(delay);
    const ceiling = Math.min(S.retryMaxMs, S.retryBaseMs * 2 ** i);
    assert.ok(
      delay >= ceiling / 2 && delay <= ceiling,
      `delay ${delay} within [${ceiling / 2}, ${ceiling}]`,
    );
    e = { ...e, attempts: next.attempts, nextAttemptAt: next.nextAttemptAt };
    now = next.nextAttemptAt;
  }
  assert.equal(e.attempts, 100);
  assert.ok(delays.slice(-10).every((d) => d >= S.retryMaxMs / 2));
  assert.ok(now < S.maxSendAgeMs, '100 attempts fit well inside the age limit');
});

test('an entry ends only once it outlived the configured age', () => {
  const e = { createdAt: 1000, attempts: 40, nextAttemptAt: 0 };
  assert.equal(afterTransientFailure(e, 1000 + S.maxSendAgeMs - 1, S, 'x').kind, 'retry');
  const end = afterTransientFailure(e, 1000 + S.maxSendAgeMs, S, 'network: down');
  assert.deepEqual(end, {
    kind: 'expire',
    reason: 'not sent after 168 h and 41 attempts: network: down',
  });
});
