/**
 * Admin commands beside a running server: invites listed and revoked (the link then fails),
 * devices listed and revoked (the running server refuses the device), storage use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameMarker, registerEngine, type EngineClient, tearDown } from '../helpers/scenario.ts';
import { runFoyer, startServerProcess } from '../helpers/server.ts';

async function json<T>(args: string[]): Promise<T> {
  const r = await runFoyer([...args, '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as T;
}

test('invites, devices and storage are managed while the server runs', async (t) => {
  const server = await startServerProcess();
  const clients: EngineClient[] = [];
  t.after(() => tearDown([server], clients));
  const data = ['--data', server.dataDir];
  const alice = await registerEngine(server, nameMarker('alice'), server.adminInvite);
  clients.push(alice);

  const code = await server.invite();
  const { invites } = await json<{ invites: Array<{ id: string; state: string }> }>([
    'invite',
    'list',
    ...data,
  ]);
  assert.equal(invites.filter((i) => i.state === 'pending').length, 1);
  // The admin invite alice used is gone: used invites are deleted, not kept.
  assert.equal(invites.length, 1);
  const listed = (await runFoyer(['invite', 'list', ...data])).stdout;
  assert.ok(
    !listed.includes(code) && !listed.includes(server.adminInvite),
    'codes are never listed',
  );
  const pending = invites.find((i) => i.state === 'pending')!;
  const revoked = await runFoyer(['invite', 'revoke', pending.id.slice(0, 8), ...data]);
  assert.equal(revoked.code, 0, revoked.stderr);
  await assert.rejects(registerEngine(server, nameMarker('bob'), code), /invite/i);
  const again = await runFoyer(['invite', 'revoke', pending.id, ...data]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no pending invite/);

  const bob = await registerEngine(server, nameMarker('bob'));
  clients.push(bob);
  const { devices } = await json<{
    devices: Array<{ id: string; user: string; revokedAt: number | null }>;
  }>(['device', 'list', ...data]);
  assert.deepEqual(devices.map((d) => d.user).sort(), [alice.name, bob.name].sort());
  const bobDevice = devices.find((d) => d.user === bob.name)!;
  const conv = await alice.engine.openDirect(bob.name);
  await alice.engine.send(conv.id, 'waiting for bob');
  const use = await json<{ queuedMessages: number; queuedBytes: number; freeBytes: number }>([
    'storage',
    ...data,
  ]);
  assert.ok(
    use.queuedMessages >= 1 && use.queuedBytes > 0 && use.freeBytes > 0,
    JSON.stringify(use),
  );

  const r = await runFoyer(['device', 'revoke', bobDevice.id, ...data]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /revoked \([1-9]\d* queued messages deleted\)/);
  // The running server refuses the revoked device.
  await assert.rejects(bob.engine.sync(), /revoked|unauthenticated|session/i);
  const after = await json<{ devices: Array<{ id: string; revokedAt: number | null }> }>([
    'device',
    'list',
    bob.name,
    ...data,
  ]);
  assert.notEqual(after.devices[0]?.revokedAt, null);
  const unknown = await runFoyer(['device', 'revoke', bobDevice.id, ...data]);
  assert.equal(unknown.code, 1);
});
