/**
 * The members list and the admin routes behind the web app's admin page, on a real server:
 * only an admin account may use them, bad input gets stable codes and changes nothing, and a
 * removed account's devices stop working at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiDevice } from '../helpers/apiDevice.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server.ts';

let server: ServerProcess;
let admin: ApiDevice;
let member: ApiDevice;

before(async () => {
  server = await startServerProcess();
  admin = await ApiDevice.register(server.url, server.adminInvite, 'alice');
  member = await ApiDevice.register(server.url, await server.invite(), 'bob');
  await admin.login();
  await member.login();
});
after(async () => server?.stop());

test('every member sees the household; only admins reach the admin routes', async () => {
  const members = await member.call<{ members: Array<{ name: string }> }>('GET', '/api/v1/members');
  assert.equal(members.status, 200);
  assert.deepEqual(members.body.members.map((m) => m.name).sort(), ['alice', 'bob']);
  for (const [method, path] of [
    ['GET', '/api/v1/admin/invites'],
    ['POST', '/api/v1/admin/invites'],
    ['DELETE', '/api/v1/admin/invites/1'],
    ['GET', '/api/v1/admin/users'],
    ['DELETE', '/api/v1/admin/users/alice'],
  ] as const) {
    const r = await member.call<{ error: { code: string } }>(
      method,
      path,
      method === 'POST' ? {} : undefined,
    );
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.equal(r.body.error.code, 'forbidden');
  }
  const anonymous = await fetch(`${server.url}/api/v1/members`);
  assert.equal(anonymous.status, 401);
});

test('an admin creates, lists and revokes invites; bad input changes nothing', async () => {
  const made = await admin.call<{ code: string; url: string; admin: boolean }>(
    'POST',
    '/api/v1/admin/invites',
    { admin: false, expiresInDays: 3 },
  );
  assert.equal(made.status, 200);
  assert.match(made.body.url, /\/join#[A-Za-z0-9_-]{22}$/);
  const before = await admin.call<{ invites: Array<{ id: number; usedAt: number | null }> }>(
    'GET',
    '/api/v1/admin/invites',
  );
  for (const body of [{ expiresInDays: 0 }, { expiresInDays: 1000 }, { admin: 'yes' }, [1]]) {
    const r = await admin.call<{ error: { code: string } }>('POST', '/api/v1/admin/invites', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.error.code, 'bad_request');
  }
  const bad = await admin.call<{ error: { code: string } }>('DELETE', '/api/v1/admin/invites/abc');
  assert.equal(bad.body.error.code, 'bad_request');
  const after = await admin.call<{ invites: unknown[] }>('GET', '/api/v1/admin/invites');
  assert.deepEqual(after.body, before.body, 'refused requests changed the invites');
  const open = before.body.invites.find((i) => i.usedAt === null)!;
  assert.equal((await admin.call('DELETE', `/api/v1/admin/invites/${open.id}`)).status, 204);
  const again = await admin.call<{ error: { code: string } }>(
    'DELETE',
    `/api/v1/admin/invites/${open.id}`,
  );
  assert.equal(again.body.error.code, 'not_found');
});

test('an admin removes an account: its device is refused at once; not their own', async () => {
  const self = await admin.call<{ error: { code: string } }>('DELETE', '/api/v1/admin/users/alice');
  assert.equal(self.body.error.code, 'forbidden');
  const removed = await admin.call<{ name: string; devices: number }>(
    'DELETE',
    '/api/v1/admin/users/bob',
  );
  assert.equal(removed.status, 200);
  assert.equal(removed.body.devices, 1);
  const users = await admin.call<{ users: Array<{ name: string }> }>('GET', '/api/v1/admin/users');
  assert.deepEqual(
    users.body.users.map((u) => u.name),
    ['alice'],
  );
  const refused = await member.call('GET', '/api/v1/members');
  assert.equal(refused.status, 401);
});
