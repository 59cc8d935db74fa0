/**
 * Configured limits hold on a real server: the user cap refuses registration clearly (and a
 * refused registration does not spend its invite), and a device that floods gets
 * `rate_limited` while another device is still served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiDevice } from '../helpers/apiDevice.ts';
import { createInvite, removeDir, runFoyer, startServerProcess } from '../helpers/server.ts';

type ErrorReply = { error: { code: string; message: string; details?: { retryAfterMs?: number } } };

test('a refused registration leaves its invite usable (name taken, instance full)', async (t) => {
  const server = await startServerProcess({ args: ['--max-users', '2'] });
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  await ApiDevice.register(server.url, server.adminInvite, 'alice');
  const first = createInvite(server.dataDir);
  const taken = await ApiDevice.register(server.url, first, 'alice').catch((e: Error) => e);
  assert.ok(taken instanceof Error && /name_taken/.test(taken.message), 'a taken name');
  await ApiDevice.register(server.url, first, 'bob'); // the same invite, once more

  const second = createInvite(server.dataDir);
  const full = await ApiDevice.register(server.url, second, 'carol').catch((e: Error) => e);
  assert.ok(full instanceof Error && /instance_full/.test(full.message), 'carol was registered');
  const removed = await runFoyer(['user', 'remove', 'bob', '--yes', '--data', server.dataDir]);
  assert.equal(removed.code, 0, removed.stderr);
  const carol = await ApiDevice.register(server.url, second, 'carol');
  assert.equal((await carol.call('GET', '/api/v1/devices')).status, 200);
});

test('a flooding device is rate limited; another device is still served', async (t) => {
  const server = await startServerProcess({ args: ['--rate-limit-per-session', '40'] });
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const alice = await ApiDevice.register(server.url, server.adminInvite, 'alice');
  const bob = await ApiDevice.register(server.url, createInvite(server.dataDir), 'bob');
  let limited: ErrorReply | undefined;
  for (let i = 0; i < 200 && limited === undefined; i++) {
    const r = await alice.call<ErrorReply>('GET', '/api/v1/devices');
    if (r.status === 429) limited = r.body;
    else assert.equal(r.status, 200);
  }
  assert.ok(limited, 'never rate limited');
  assert.equal(limited.error.code, 'rate_limited');
  assert.ok((limited.error.details?.retryAfterMs ?? 0) > 0);
  assert.equal((await bob.call('GET', '/api/v1/devices')).status, 200);
});
