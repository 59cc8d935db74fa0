import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.ts';
import { UsageError } from './args.ts';

test('durations in minutes, hours and days', () => {
  assert.equal(parseDuration('30m', '--expires'), 30 * 60_000);
  assert.equal(parseDuration('12h', '--expires'), 12 * 3_600_000);
  assert.equal(parseDuration('7d', '--expires'), 7 * 86_400_000);
  assert.equal(parseDuration('365d', '--expires'), 365 * 86_400_000);
});

test('bad durations are usage errors naming the flag', () => {
  for (const bad of ['7', 'd', '0d', '-1d', '1w', '1.5h', '366d', '7 days', '']) {
    assert.throws(
      () => parseDuration(bad, '--expires'),
      (err: unknown) =>
        err instanceof UsageError &&
        /^--expires must be a duration like 30m, 12h or 7d/.test(err.message),
      bad,
    );
  }
});
