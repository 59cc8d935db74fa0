import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';
import { natPmpClient, NatPmpError } from './natPmp.ts';

/** A NAT-PMP responder on loopback that answers with `reply` (or ignores when undefined). */
async function gateway(reply: (req: Buffer, n: number) => Buffer | undefined) {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const requests: Buffer[] = [];
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    requests.push(msg);
    const out = reply(msg, requests.length);
    if (out !== undefined) socket.send(out, from.port, from.address);
  });
  return { port: socket.address().port, requests, close: () => socket.close() };
}

function mapAnswer(req: Buffer, result: number, external: number, lifetime: number): Buffer {
  const out = Buffer.alloc(16);
  out[1] = 128 + req[1]!;
  out.writeUInt16BE(result, 2);
  out.writeUInt16BE(req.readUInt16BE(4), 8);
  out.writeUInt16BE(external, 10);
  out.writeUInt32BE(lifetime, 12);
  return out;
}

test('a mapping asks for the external port and lease in seconds, retransmitting until answered', async (t) => {
  // The first request is "lost": the client must send it again.
  const gw = await gateway((req, n) =>
    n === 1 ? undefined : mapAnswer(req, 0, req.readUInt16BE(6), 1800),
  );
  const client = await natPmpClient('127.0.0.1', 4, gw.port);
  t.after(() => {
    client.close();
    gw.close();
  });
  const got = await client.map(8080, 443, 3600);
  assert.deepEqual(got, { internalPort: 8080, externalPort: 443, lifetime: 1800 });
  assert.equal(gw.requests.length, 2);
  const req = gw.requests[1]!;
  assert.equal(req.length, 12);
  assert.deepEqual([req[0], req[1]], [0, 2], 'version 0, map TCP');
  assert.equal(req.readUInt16BE(4), 8080);
  assert.equal(req.readUInt16BE(6), 443);
  assert.equal(req.readUInt32BE(8), 3600, 'seconds, not milliseconds');
});

test('a refusal is an error with a stable code and the reason in words', async (t) => {
  const gw = await gateway((req) => mapAnswer(req, 2, 0, 0));
  const client = await natPmpClient('127.0.0.1', 4, gw.port);
  t.after(() => {
    client.close();
    gw.close();
  });
  await assert.rejects(client.map(8080, 443, 60), (err: unknown) => {
    assert.ok(err instanceof NatPmpError);
    assert.equal(err.code, 'refused');
    assert.match(err.message, /not authorized/);
    return true;
  });
});

test('a silent gateway gives up after the attempts, with no_answer', async (t) => {
  const gw = await gateway(() => undefined);
  const client = await natPmpClient('127.0.0.1', 2, gw.port);
  t.after(() => {
    client.close();
    gw.close();
  });
  await assert.rejects(client.externalAddress(), { code: 'no_answer' });
  assert.equal(gw.requests.length, 2);
});
