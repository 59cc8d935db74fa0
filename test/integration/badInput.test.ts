/**
 * Bad input gets a clear error with a stable code, changes nothing, and the server keeps
 * serving everyone else.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiDevice } from '../helpers/apiDevice.ts';
import {
  createInvite,
  removeDir,
  startServerProcess,
  type ServerProcess,
} from '../helpers/server.ts';
import { randomBytes, toBase64Url } from '../../src/shared/protocol/bytes.ts';

type ErrorReply = { error: { code: string; message: string } };

describe('bad requests', () => {
  let server: ServerProcess;
  let alice: ApiDevice;
  let gid: string;
  const otherGroup = randomBytes(16);

  before(async () => {
    server = await startServerProcess();
    alice = await ApiDevice.register(server.url, server.adminInvite, 'alice');
    gid = toBase64Url(randomBytes(16));
    assert.equal((await alice.call('POST', '/api/v1/groups', { groupId: gid })).status, 200);
    const bob = await ApiDevice.register(server.url, createInvite(server.dataDir), 'bob');
    const other = await bob.call('POST', '/api/v1/groups', { groupId: toBase64Url(otherGroup) });
    assert.equal(other.status, 200);
  });

  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  const cases: Array<
    [string, (d: ApiDevice) => Promise<{ status: number; body: unknown }>, number, string]
  > = [
    ['malformed JSON', (d) => d.call('POST', '/api/v1/groups', '{"groupId":'), 400, 'bad_request'],
    [
      'a body that is not an object',
      (d) => d.call('POST', '/api/v1/groups', '[1,2]'),
      400,
      'bad_request',
    ],
    ['a missing field', (d) => d.call('POST', '/api/v1/sessions', {}), 400, 'bad_request'],
    ['bad base64', (d) => d.call('POST', '/api/v1/groups', { groupId: '***' }), 400, 'bad_request'],
    [
      'an oversized body',
      (d) => d.call('POST', '/api/v1/groups', { groupId: 'A'.repeat(200_000) }),
      413,
      'payload_too_large',
    ],
    [
      'an oversized message',
      (d) =>
        d.call('POST', `/api/v1/groups/${gid}/messages`, {
          id: 'A'.repeat(22),
          message: 'A'.repeat(2_000_000),
        }),
      413,
      'payload_too_large',
    ],
    [
      'bytes that are not MLS',
      (d) =>
        d.call('POST', `/api/v1/groups/${gid}/messages`, {
          id: 'A'.repeat(22),
          message: toBase64Url(randomBytes(300)),
        }),
      400,
      'bad_request',
    ],
    [
      'a bad message id',
      (d) => d.call('POST', `/api/v1/groups/${gid}/messages`, { id: 'short', message: 'AAAA' }),
      400,
      'bad_request',
    ],
    [
      'no session token',
      (d) => new ApiDevice(d.url).call('GET', '/api/v1/devices'),
      401,
      'unauthenticated',
    ],
    [
      'a forged session token',
      (d) =>
        d.call('GET', '/api/v1/devices', undefined, { authorization: `Bearer ${'x'.repeat(43)}` }),
      401,
      'unauthenticated',
    ],
    [
      'a replayed challenge',
      async (d) => {
        const c = await d.call<{ challenge: string }>('POST', '/api/v1/sessions/challenge', {
          deviceId: d.id,
        });
        const body = {
          deviceId: d.id,
          challenge: c.body.challenge,
          signature: toBase64Url(randomBytes(64)),
        };
        await d.call('POST', '/api/v1/sessions', body);
        return d.call('POST', '/api/v1/sessions', body);
      },
      401,
      'unauthenticated',
    ],
    ['an unknown route', (d) => d.call('GET', '/api/v1/nothing'), 404, 'not_found'],
    [
      "someone else's group id",
      (d) => d.call('POST', '/api/v1/groups', { groupId: toBase64Url(otherGroup) }),
      403,
      'not_member',
    ],
    [
      'a user name with capitals',
      (d) => d.call('POST', '/api/v1/accounts', { name: 'Alice', invite: 'x', device: {} }),
      400,
      'invalid_name',
    ],
  ];

  for (const [what, request, status, code] of cases) {
    test(`${what} → ${status} ${code}, and the server keeps serving`, async () => {
      const r = await request(alice);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal((r.body as ErrorReply).error.code, code);
      assert.equal(typeof (r.body as ErrorReply).error.message, 'string');
      const ok = await alice.call<{ epoch: number }>('GET', `/api/v1/groups/${gid}`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body.epoch, 0, 'nothing changed');
    });
  }

  test('a WebSocket that does not authenticate first is closed with an error', async () => {
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/api/v1/ws');
    await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    const frame = new Promise<string>((r) =>
      ws.addEventListener('message', (e) => r(String(e.data)), { once: true }),
    );
    const closed = new Promise<number>((r) =>
      ws.addEventListener('close', (e) => r(e.code), { once: true }),
    );
    ws.send(JSON.stringify({ op: 'submit', ref: 1 }));
    assert.equal((JSON.parse(await frame) as { code: string }).code, 'unauthenticated');
    assert.equal(await closed, 4001);
  });

  test('health, metrics and the well-known document answer without identifiers', async () => {
    const d = new ApiDevice(server.url);
    assert.equal((await d.call('GET', '/healthz')).status, 200);
    const wk = await d.call<{ domain: string; protocol: number; instanceKey: string }>(
      'GET',
      '/.well-known/foyer',
    );
    assert.equal(wk.body.protocol, 1);
    assert.equal(wk.body.instanceKey.length, 43);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^foyer_messages_accepted_total \d+$/m);
    assert.match(metrics, /^foyer_mailbox_depth \d+$/m);
    // Memory gauges: the resident set and the young generation, in bytes.
    const rss = /^foyer_process_memory_bytes\{kind="resident"\} (\d+)$/m.exec(metrics);
    assert.ok(rss !== null && Number(rss[1]) > 10 * 2 ** 20, 'resident set in bytes');
    assert.match(metrics, /^foyer_heap_space_bytes\{space="new_space"\} \d+$/m);
    assert.ok(!metrics.includes('alice'));
  });
});
