/** networkReason: the words given for a peer that gave no answer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { networkReason } from './networkReason.ts';

test("a refused connection is named by the system's code, not fetch's TypeError", async () => {
  // A loopback port nothing listens on.
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  const err = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
  assert.equal(networkReason(err), 'ECONNREFUSED');
});

test('a timeout, and an error without a code', () => {
  assert.equal(networkReason(new DOMException('t', 'TimeoutError')), 'timeout');
  assert.equal(networkReason(new TypeError('fetch failed')), 'TypeError');
});
