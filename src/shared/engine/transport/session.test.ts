import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, toBase64Url } from '../../protocol/bytes.ts';
import { json, tinyServer } from '../../../../test/helpers/tinyServer.ts';
import { HttpTransport } from './httpTransport.ts';
import type { DeviceSigner, SavedSession, SessionKeeper } from './transport.ts';

const signer: DeviceSigner = { deviceId: 'dev1', sign: async () => new Uint8Array(64) };
const HOUR = 3600_000;

/** A server that opens sessions on request and accepts only the tokens it opened. */
async function sessionServer() {
  const live = new Set<string>();
  let opened = 0;
  const server = await tinyServer((req, _body, res) => {
    if (req.url === '/api/v1/sessions/challenge')
      return json(res, 200, { challenge: toBase64Url(randomBytes(32)), expiresAt: 1 });
    if (req.url === '/api/v1/sessions') {
      opened++;
      const token = toBase64Url(randomBytes(32));
      live.add(token);
      return json(res, 200, { token, expiresAt: Date.now() + HOUR });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !live.has(token))
      return json(res, 401, { error: { code: 'unauthenticated', message: 'unknown token' } });
    return json(res, 200, { available: 3, lastResort: true });
  });
  return { server, live, opened: () => opened };
}

function memoryKeeper(initial?: SavedSession): SessionKeeper & { saved: SavedSession[] } {
  let kept = initial;
  const saved: SavedSession[] = [];
  return {
    saved,
    load: async () => kept,
    save: async (s) => {
      kept = s;
      saved.push(s);
    },
  };
}

function run(url: string, keeper: SessionKeeper): HttpTransport {
  const t = new HttpTransport(url);
  t.setSigner(signer, keeper);
  return t;
}

test('runs that share a kept token open one session between them', async (t) => {
  const s = await sessionServer();
  t.after(() => s.server.close());
  const keeper = memoryKeeper();
  for (let i = 0; i < 4; i++) {
    const transport = run(s.server.url, keeper);
    assert.equal((await transport.keyPackageCount()).available, 3);
    assert.equal((await transport.keyPackageCount()).available, 3);
  }
  assert.equal(s.opened(), 1);
  assert.equal(keeper.saved.length, 1);
});

test('a kept token the server refuses is replaced once, and the new one is kept', async (t) => {
  const s = await sessionServer();
  t.after(() => s.server.close());
  const keeper = memoryKeeper({ token: 'forgotten-by-the-server', expiresAt: Date.now() + HOUR });
  const transport = run(s.server.url, keeper);
  assert.equal((await transport.keyPackageCount()).available, 3);
  assert.equal(s.opened(), 1);
  assert.equal(keeper.saved.length, 1);
  assert.ok(s.live.has(keeper.saved[0]!.token));
  // The next run uses the replacement.
  await run(s.server.url, keeper).keyPackageCount();
  assert.equal(s.opened(), 1);
});

test('a kept token about to expire is not used', async (t) => {
  const s = await sessionServer();
  t.after(() => s.server.close());
  const first = memoryKeeper();
  await run(s.server.url, first).keyPackageCount();
  const expiring = memoryKeeper({ ...first.saved[0]!, expiresAt: Date.now() + 1000 });
  await run(s.server.url, expiring).keyPackageCount();
  assert.equal(s.opened(), 2);
  assert.equal(expiring.saved.length, 1);
});

test('without a keeper, each transport opens its own session', async (t) => {
  const s = await sessionServer();
  t.after(() => s.server.close());
  for (let i = 0; i < 2; i++) {
    const transport = new HttpTransport(s.server.url);
    transport.setSigner(signer);
    await transport.keyPackageCount();
  }
  assert.equal(s.opened(), 2);
});
