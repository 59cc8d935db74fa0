import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FoyerError } from '../shared/protocol/errors.ts';
import { EXIT, reportError } from './errors.ts';

test('a cause the message already quotes is not printed again', async () => {
  const lines: string[] = [];
  const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
  const inner = new Error('connect ECONNREFUSED 127.0.0.1:1');
  const err = new FoyerError(
    'network',
    'cannot reach the server: fetch failed (connect ECONNREFUSED 127.0.0.1:1)',
    undefined,
    {
      cause: new TypeError('fetch failed', { cause: inner }),
    },
  );
  assert.equal(reportError(io, err, { json: false, prefix: 'foyer client' }), EXIT.failed);
  assert.deepEqual(lines, [
    'foyer client: cannot reach the server: fetch failed (connect ECONNREFUSED 127.0.0.1:1)',
  ]);
  lines.length = 0;
  reportError(io, err, { json: true, prefix: 'foyer client' });
  assert.equal((JSON.parse(lines[0]!) as { error: { cause: string[] } }).error.cause.length, 2);
});

test('usage and malformed names exit 2, other failures 1, bugs are internal', () => {
  const io = { out: () => undefined, err: () => undefined };
  const opts = { json: false, prefix: 'foyer' };
  assert.equal(reportError(io, new FoyerError('usage', 'x'), opts), EXIT.usage);
  assert.equal(reportError(io, new FoyerError('invalid_name', 'x'), opts), EXIT.usage);
  assert.equal(reportError(io, new FoyerError('corrupt_store', 'x'), opts), EXIT.failed);
  const out: string[] = [];
  reportError({ out: (t) => out.push(t), err: () => undefined }, new RangeError('oops'), {
    json: true,
    prefix: 'foyer',
  });
  assert.equal((JSON.parse(out[0]!) as { error: { code: string } }).error.code, 'internal');
});
