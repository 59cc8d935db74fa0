/**
 * The adversarial review's findings (issue 8), each reproduced against a real server:
 * rate limits that a percent-encoded path cannot skip, no name or device oracle, slow and
 * crowding connections cut, /metrics kept local, oversized frames treated as client errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { once } from 'node:events';
import WebSocket from 'ws';
import { ApiDevice } from '../helpers/apiDevice.ts';
import {
  createInvite,
  removeDir,
  startServerProcess,
  type ServerProcess,
} from '../helpers/server.ts';
import { randomBytes, toBase64Url } from '../../src/shared/protocol/bytes.ts';
import { createKeyPackage, makeLeafKeyPackage } from '../../src/shared/mls/keyPackages.ts';
import { encodeMls } from '../../src/shared/mls/codec.ts';
import { decodeCredential, encodeCredential } from '../../src/shared/protocol/credential.ts';
import type { ClaimedKeyPackages } from '../../src/shared/protocol/api.ts';

type ErrorReply = { error: { code: string; message: string } };

/** A registration body with a well-formed but unverifiable device. */
function registration(invite: string, name: string): Record<string, unknown> {
  return {
    invite,
    name,
    device: {
      id: toBase64Url(randomBytes(16)),
      signatureKey: toBase64Url(randomBytes(32)),
      identityKey: toBase64Url(randomBytes(32)),
      identitySignature: toBase64Url(randomBytes(64)),
    },
  };
}

describe('findings on one server', () => {
  let server: ServerProcess;
  let alice: ApiDevice;

  before(async () => {
    server = await startServerProcess({
      args: ['--request-timeout-seconds', '2', '--max-connections-per-address', '24'],
    });
    alice = await ApiDevice.register(server.url, server.adminInvite, 'alice');
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('finding 3: without a valid invite, a taken name and a free one get the same answer', async () => {
    const anon = new ApiDevice(server.url);
    const replies = [];
    for (const [invite, name] of [
      ['x'.repeat(22), 'alice'],
      ['x'.repeat(22), 'nobody'],
      [server.adminInvite, 'alice'], // used
      [server.adminInvite, 'nobody'],
    ] as const) {
      replies.push(
        await anon.call<ErrorReply>('POST', '/api/v1/accounts', registration(invite, name)),
      );
    }
    for (const r of replies) {
      assert.equal(r.status, 410);
      assert.deepEqual(r.body, replies[0]!.body);
    }
    assert.equal(replies[0]!.body.error.code, 'invite_invalid');
  });

  test('finding 8: an unknown device, a bad signature and a revoked device read the same at login', async () => {
    const anon = new ApiDevice(server.url);
    const attempt = async (deviceId: string) => {
      const c = await anon.call<{ challenge: string }>('POST', '/api/v1/sessions/challenge', {
        deviceId,
      });
      return anon.call<ErrorReply>('POST', '/api/v1/sessions', {
        deviceId,
        challenge: c.body.challenge,
        signature: toBase64Url(randomBytes(64)),
      });
    };
    const unknown = await attempt(toBase64Url(randomBytes(16)));
    const badSignature = await attempt(alice.id);
    assert.equal(unknown.status, 401);
    assert.deepEqual(badSignature.body, unknown.body);
    // A forged challenge (not made by this server) is refused the same way.
    const forged = await anon.call<ErrorReply>('POST', '/api/v1/sessions', {
      deviceId: alice.id,
      challenge: toBase64Url(randomBytes(32)),
      signature: toBase64Url(randomBytes(64)),
    });
    assert.deepEqual(forged.body, unknown.body);
  });

  test('finding 8: creating a group with someone else’s id answers not_member, as every route does', async () => {
    const bob = await ApiDevice.register(server.url, createInvite(server.dataDir), 'bob');
    const gid = toBase64Url(randomBytes(16));
    assert.equal((await bob.call('POST', '/api/v1/groups', { groupId: gid })).status, 200);
    const taken = await alice.call<ErrorReply>('POST', '/api/v1/groups', { groupId: gid });
    const other = await alice.call<ErrorReply>('GET', `/api/v1/groups/${gid}`);
    assert.equal(taken.status, 403);
    assert.deepEqual(taken.body, other.body);
    assert.equal(taken.body.error.code, 'not_member');
    // For its own member, creating again is a harmless retry.
    assert.equal((await bob.call('POST', '/api/v1/groups', { groupId: gid })).status, 200);
  });

  test('finding 7: /metrics answers only requests made on this machine', async () => {
    const local = await fetch(`${server.url}/metrics`);
    assert.equal(local.status, 200);
    assert.match(await local.text(), /^foyer_users \d+$/m);
    // Relayed by a reverse proxy on the same machine: the visitor is not local.
    const relayed = await fetch(`${server.url}/metrics`, {
      headers: { 'x-forwarded-for': '192.0.2.7' },
    });
    assert.equal(relayed.status, 404);
    assert.doesNotMatch(await relayed.text(), /foyer_users/);
  });

  test(
    'finding 6: a client that sends its headers slowly is cut off',
    { timeout: 20_000 },
    async () => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      const started = Date.now();
      // The server may reset the connection while a header line is on its way (ECONNRESET or
      // EPIPE here): what matters is that it closes, whichever way.
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const drip = setInterval(() => {
        if (!socket.destroyed) socket.write('X-Slow: 1\r\n');
      }, 300);
      socket.resume();
      try {
        await closed;
      } finally {
        // Whatever happens, nothing of this test may keep its file's process alive.
        clearInterval(drip);
        socket.destroy();
      }
      assert.ok(Date.now() - started < 6000, 'the slow connection stayed open');
    },
  );

  test(
    'finding 6: connections beyond the per-address cap are closed at once; others still served',
    { timeout: 10_000 },
    async () => {
      const sockets: Socket[] = [];
      let closedEarly = 0;
      let sixClosed!: () => void;
      const six = new Promise<void>((resolve) => (sixClosed = resolve));
      for (let i = 0; i < 30; i++) {
        const s = connect(Number(new URL(server.url).port), '127.0.0.1');
        s.on('close', () => {
          if (++closedEarly === 6) sixClosed();
        });
        s.on('error', () => undefined);
        sockets.push(s);
      }
      // 24 allowed: at least the last 6 are closed by the server without a byte sent.
      await six;
      const open = sockets.filter((s) => !s.destroyed);
      assert.ok(open.length <= 24, `${open.length} connections stayed open`);
      await Promise.all(
        sockets.map((s) => {
          const done = s.closed ? Promise.resolve() : once(s, 'close').then(() => undefined);
          s.destroy();
          return done;
        }),
      );
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    },
  );

  test('finding 4: an anonymous flood of link requests from one address does not deny linking', async () => {
    const post = (from: string) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ sealed: toBase64Url(randomBytes(64)) });
        const req = request(
          `${server.url}/api/v1/links/${toBase64Url(randomBytes(32))}`,
          {
            method: 'POST',
            localAddress: from,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const flood: number[] = [];
    for (let i = 0; i < 80; i++) flood.push(await post('127.0.0.1'));
    assert.ok(flood.filter((s) => s === 201).length <= 4, 'one address holds many requests');
    assert.ok(flood.filter((s) => s === 429).length >= 76);
    // Someone else (another address) can still start linking.
    assert.equal(await post('127.0.0.2'), 201);
  });

  test(
    'finding 5: key packages cannot be drained; the owner is told to replenish',
    { timeout: 20_000 },
    async () => {
      const owner = await ApiDevice.register(server.url, createInvite(server.dataDir), 'olive');
      const other = await ApiDevice.register(server.url, createInvite(server.dataDir), 'oscar');
      assert.equal((await owner.uploadKeyPackages(15)).status, 200);
      const lastResort = await createKeyPackage(owner.keys, owner.trust);
      const lr = toBase64Url(lastResort.publicPackage);
      assert.equal(
        (await owner.call('POST', '/api/v1/keypackages', { keyPackages: [], lastResort: lr }))
          .status,
        200,
      );
      const socket = await owner.socket();
      const claim = (by: ApiDevice) =>
        by.call<ClaimedKeyPackages & ErrorReply>('POST', '/api/v1/users/olive/keypackages');
      const got: string[] = [];
      let limited = 0;
      for (let i = 0; i < 30; i++) {
        const r = await claim(alice);
        if (r.status === 429) limited++;
        else got.push(r.body.keyPackages[0]!.keyPackage);
      }
      assert.ok(got.length <= 10, `one claimer took ${got.length} packages`);
      assert.ok(limited >= 20);
      // One notice per claim under the low-stock mark, the last with what is left.
      const left0 = 15 - got.length;
      await socket.next((f) => f.op === 'keypackages' && f.available === left0);
      assert.ok(socket.frames.some((f) => f.op === 'keypackages' && f.available === 9));
      // Another claimer still gets a package, but the last-resort one: the stock stays.
      const r = await claim(other);
      assert.equal(r.body.keyPackages[0]!.keyPackage, lr);
      const left = await owner.call<{ available: number }>('GET', '/api/v1/keypackages');
      assert.equal(left.body.available, left0);
      socket.close();
    },
  );

  test('finding 9: a key package whose credential names another user is refused at upload', async () => {
    const real = decodeCredential(alice.credential);
    const forgedCredential = encodeCredential({ ...real, user: 'bob' });
    const forged = await makeLeafKeyPackage({
      signature: alice.signature,
      credential: forgedCredential,
    });
    const bytes = encodeMls({
      version: 'mls10',
      wireformat: 'mls_key_package',
      keyPackage: forged.publicPackage,
    });
    const r = await alice.call<ErrorReply>('POST', '/api/v1/keypackages', {
      keyPackages: [toBase64Url(bytes)],
    });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'forbidden');
    const count = await alice.call<{ available: number }>('GET', '/api/v1/keypackages');
    assert.equal(count.body.available, 0, 'nothing was stored');
  });

  test('finding 10: a device keeps at most 8 sessions; a new one ends the oldest', async () => {
    const d = await ApiDevice.register(server.url, createInvite(server.dataDir), 'sam');
    const first = d.token;
    const second = (await d.login(), d.token);
    for (let i = 0; i < 8; i++) await d.login();
    const withToken = (token: string) =>
      d.call('GET', '/api/v1/devices', undefined, { authorization: `Bearer ${token}` });
    assert.equal((await withToken(first)).status, 401);
    assert.equal((await withToken(second)).status, 401);
    assert.equal((await withToken(d.token)).status, 200);
  });

  test('finding 12: an oversized WebSocket frame closes that socket without a server error', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/ws`);
    await once(ws, 'open');
    ws.on('error', () => undefined);
    ws.send('x'.repeat(2 * 1024 * 1024));
    const [code] = (await once(ws, 'close')) as [number];
    assert.equal(code, 1009);
    assert.doesNotMatch(server.output(), /"level":(50|60)/, 'logged as a server error');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});

test('finding 2: a percent-encoded path meets the same per-address limit', async (t) => {
  const server = await startServerProcess({ args: ['--rate-limit-per-address', '20'] });
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const anon = new ApiDevice(server.url);
  let limited = 0;
  for (let i = 0; i < 40; i++) {
    const path = i % 2 === 0 ? '/%61pi/v1/sessions/challenge' : '/api/v1/sessions/challenge';
    const r = await anon.call<ErrorReply>('POST', path, { deviceId: toBase64Url(randomBytes(16)) });
    if (r.status === 429) {
      assert.equal(r.body.error.code, 'rate_limited');
      limited++;
    } else assert.equal(r.status, 200);
  }
  assert.ok(limited >= 15, `only ${limited} of 40 requests were limited`);
});
