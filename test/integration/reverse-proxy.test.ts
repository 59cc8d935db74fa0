/**
 * "Behind a reverse proxy" (`tls: proxy`): a real HTTP and WebSocket reverse proxy, written
 * here with node:http as nginx or Caddy behave (it appends the client's address to
 * X-Forwarded-For), listens on 127.0.0.2 in front of Foyer on 127.0.0.1. Foyer believes
 * X-Forwarded-For only from the configured proxy address: per-address limits apply to the
 * real client behind the proxy, a header forged by a client (through the proxy or straight
 * to Foyer) changes nothing, push works through the proxy, and links carry the public
 * https:// URL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { removeDir, runFoyer, tempDir } from '../helpers/server.ts';
import { freePort } from '../helpers/pebble.ts';
import { startFoyer, type FoyerProcess } from '../helpers/foyerProcess.ts';
import { ApiDevice } from '../helpers/apiDevice.ts';

const PROXY_ADDRESS = '127.0.0.2';
/** Several loopback addresses (127.0.0.2-5) answer without setup on Linux only. */
const skip = process.platform === 'linux' ? false : 'needs 127.0.0.2-5 on loopback (Linux)';
const PUBLIC_URL = 'https://maison.test';

function forwardedHeaders(headers: IncomingHttpHeaders, client: string): IncomingHttpHeaders {
  const prior = headers['x-forwarded-for'];
  return {
    ...headers,
    'x-forwarded-for': prior === undefined ? client : `${String(prior)}, ${client}`,
    'x-forwarded-proto': 'https',
  };
}

/** A reverse proxy on 127.0.0.2 that forwards requests and WebSocket upgrades to `port`. */
async function startProxy(port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const up = request(
      {
        host: '127.0.0.1',
        port,
        localAddress: PROXY_ADDRESS,
        method: req.method,
        path: req.url,
        headers: forwardedHeaders(req.headers, req.socket.remoteAddress ?? ''),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = connect({ host: '127.0.0.1', port, localAddress: PROXY_ADDRESS }, () => {
      const headers = forwardedHeaders(req.headers, (socket as Socket).remoteAddress ?? '');
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${String(v)}`);
      up.write(`${req.method} ${req.url} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  server.listen(0, PROXY_ADDRESS);
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** GET `path` from `from` (a loopback address) to host:port; the status. */
function get(
  host: string,
  port: number,
  from: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, localAddress: from, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test(
  'behind a reverse proxy: real client addresses, forged headers ignored, push through it, https links',
  { skip },
  async (t) => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const running: { foyer?: FoyerProcess; proxy?: Server } = {};
    t.after(async () => {
      running.proxy?.closeAllConnections();
      running.proxy?.close();
      await running.foyer?.stop();
      removeDir(dir);
    });
    const port = await freePort();
    running.foyer = await startFoyer([
      '--data',
      data,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--tls',
      'proxy',
      '--trusted-proxies',
      PROXY_ADDRESS,
      '--public-url',
      PUBLIC_URL,
      '--rate-limit-per-address',
      '30',
    ]);
    const p = await startProxy(port);
    running.proxy = p.server;

    // A client at 127.0.0.3 exhausts its own allowance through the proxy...
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push((await get(PROXY_ADDRESS, p.port, '127.0.0.3', '/api/v1/members')).status);
    assert.ok(statuses.includes(429), `limited: ${statuses.join(',')}`);
    // ...which a forged header through the proxy does not escape (the proxy appends the real one),
    const forgedThrough = await get(PROXY_ADDRESS, p.port, '127.0.0.3', '/api/v1/members', {
      'x-forwarded-for': '127.0.0.9',
    });
    assert.equal(forgedThrough.status, 429);
    // while another client behind the same proxy is not limited.
    assert.equal((await get(PROXY_ADDRESS, p.port, '127.0.0.4', '/api/v1/members')).status, 401);
    // Straight to Foyer, not from the proxy: X-Forwarded-For is ignored, so claiming to be the
    // limited client does not make 127.0.0.5 limited (nor could it unlimit anyone).
    const forgedDirect = await get('127.0.0.1', port, '127.0.0.5', '/api/v1/members', {
      'x-forwarded-for': '127.0.0.3',
    });
    assert.equal(forgedDirect.status, 401);
    // HSTS reaches the browser through the proxy (the public URL is an https name).
    assert.match(String(forgedDirect.headers['strict-transport-security']), /max-age=31536000/);

    // Push through the proxy: a device registers, logs in and gets its WebSocket ready frame.
    const invite = await runFoyer(['invite', 'create', '--json', '--data', data]);
    const { code, url } = JSON.parse(invite.stdout) as { code: string; url: string };
    assert.ok(url.startsWith(`${PUBLIC_URL}/`), `the link uses the public URL: ${url}`);
    const device = await ApiDevice.register(`http://${PROXY_ADDRESS}:${p.port}`, code, 'alice');
    const socket = await device.socket();
    assert.ok(socket.frames.some((f) => f.op === 'ready'));
    socket.close();
  },
);
