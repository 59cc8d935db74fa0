import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FoyerError } from '../../protocol/errors.ts';
import { randomBytes, toBase64Url } from '../../protocol/bytes.ts';
import { json, tinyServer, type Reply } from '../../../../test/helpers/tinyServer.ts';
import { HttpTransport } from './httpTransport.ts';
import { MAX_PAGE_REPLY_BYTES, MAX_REPLY_BYTES } from './readReply.ts';

const HOUR = 3600_000;
const GROUP = toBase64Url(randomBytes(16));

/**
 * A server that opens sessions properly and answers every other request with `reply`: what
 * a hostile or broken server would send to an honest client.
 */
async function hostile(reply: (res: Reply, path: string) => void) {
  const server = await tinyServer((req, _body, res) => {
    if (req.url === '/api/v1/sessions/challenge')
      return json(res, 200, { challenge: toBase64Url(randomBytes(32)), expiresAt: 1 });
    if (req.url === '/api/v1/sessions')
      return json(res, 200, { token: toBase64Url(randomBytes(32)), expiresAt: Date.now() + HOUR });
    reply(res, req.url ?? '');
  });
  const transport = new HttpTransport(server.url);
  transport.setSigner({ deviceId: 'dev1', sign: async () => new Uint8Array(64) });
  return { server, transport };
}

function raw(res: Reply, status: number, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

async function refused(
  call: Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<FoyerError> {
  const err = await call.then(
    () => assert.fail('the call should have been refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof FoyerError, String(err));
  assert.equal(err.code, code, err.message);
  if (message !== undefined) assert.match(err.message, message);
  return err;
}

test('a reply that is not JSON is bad_reply, with the parse error as its cause', async (t) => {
  const { server, transport } = await hostile((res) => raw(res, 200, '{"available": 3,'));
  t.after(() => server.close());
  const err = await refused(transport.keyPackageCount(), 'bad_reply', /not JSON/);
  assert.ok(err.cause instanceof SyntaxError);
});

test('a reply of the wrong shape is bad_reply, naming the field', async (t) => {
  const { server, transport } = await hostile((res, path) => {
    if (path === '/api/v1/keypackages') return json(res, 200, { available: '3', lastResort: true });
    if (path === '/api/v1/devices') return json(res, 200, { devices: [{ id: 'd' }] });
    if (path.startsWith('/api/v1/groups/'))
      return json(res, 200, { groupId: 'g', epoch: -1, members: [] });
    if (path.startsWith('/api/v1/mailbox'))
      return json(res, 200, { items: [{ seq: 1, kind: 'spam' }], cursor: 1, more: false });
    return json(res, 200, [1, 2, 3]);
  });
  t.after(() => server.close());
  await refused(
    transport.keyPackageCount(),
    'bad_reply',
    /available is not a non-negative integer/,
  );
  await refused(transport.devices(), 'bad_reply', /devices\[0\]\).*credential is not a string/);
  await refused(transport.groupStatus('g'), 'bad_reply', /epoch/);
  await refused(transport.mailbox(0, 10), 'bad_reply', /kind is not one of/);
  await refused(transport.user('bob'), 'bad_reply', /not a JSON object/);
  await refused(transport.wellKnown(), 'bad_reply', /not a JSON object/);
});

test('a reply that is not UTF-8 is bad_reply', async (t) => {
  const { server, transport } = await hostile((res) =>
    raw(res, 200, Uint8Array.of(0x7b, 0xff, 0x7d)),
  );
  t.after(() => server.close());
  await refused(transport.keyPackageCount(), 'bad_reply', /not UTF-8/);
});

test('an endless reply is cut at its bound and refused', async (t) => {
  let written = 0;
  const { server, transport } = await hostile((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    // Writes until the client hangs up: only a client that stops reading ends this.
    const more = (): void => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
      if (!res.destroyed) res.once('drain', more);
    };
    res.once('close', () => res.removeAllListeners('drain'));
    more();
  });
  t.after(() => server.close());
  await refused(transport.keyPackageCount(), 'bad_reply', /larger than 1048576 bytes/);
  assert.ok(written < 64 * MAX_REPLY_BYTES, `the client stopped reading (${written} bytes sent)`);
});

test('a reply that declares a length over its bound is refused before it is read', async (t) => {
  const { server, transport } = await hostile((res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(MAX_REPLY_BYTES + 1),
    });
    res.write('{');
  });
  t.after(() => server.close());
  await refused(transport.keyPackageCount(), 'bad_reply', /larger than/);
});

test('a mailbox page may be larger than other replies, up to its own bound', async (t) => {
  // Three MLS messages of 400 KiB: 1.6 MB of base64url, over the bound of other replies.
  const items = [1, 2, 3].map((seq) => ({
    seq,
    kind: 'message',
    groupId: GROUP,
    payload: toBase64Url(new Uint8Array(400 * 1024).fill(seq)),
    id: `m${seq}`.repeat(11),
    receivedAt: 1,
  }));
  const { server, transport } = await hostile((res) =>
    json(res, 200, { items, cursor: 3, more: false }),
  );
  t.after(() => server.close());
  assert.ok(JSON.stringify(items).length > MAX_REPLY_BYTES);
  const page = await transport.mailbox(0, 10);
  assert.deepEqual(
    page.items.map((i) => i.payload),
    items.map((i) => i.payload),
  );
  assert.ok(MAX_PAGE_REPLY_BYTES > MAX_REPLY_BYTES);
});

test("a refusal keeps the server's code; one of no known shape is judged by its status", async (t) => {
  const { server, transport } = await hostile((res, path) => {
    if (path === '/api/v1/keypackages')
      return json(res, 409, { error: { code: 'limit_reached', message: 'too many' } });
    if (path === '/api/v1/devices') return raw(res, 502, '<html>bad gateway</html>');
    return raw(res, 418, 'teapot');
  });
  t.after(() => server.close());
  await refused(transport.keyPackageCount(), 'limit_reached', /too many/);
  await refused(transport.devices(), 'network', /HTTP 502/);
  await refused(transport.user('bob'), 'bad_reply', /HTTP 418/);
});
