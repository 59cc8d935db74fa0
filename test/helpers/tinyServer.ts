/**
 * A tiny HTTP server on loopback that answers what a test tells it to, for unit tests of
 * the client's transport (session handling, hostile or malformed replies).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** The response a handler writes. */
export type Reply = ServerResponse;

export type Handler = (
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
) => void | Promise<void>;

export interface TinyServer {
  url: string;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 and a free port; every request goes to `handler`. */
export async function tinyServer(handler: Handler): Promise<TinyServer> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      void Promise.resolve(handler(req, body, res)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Answers `status` with `body` as JSON. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
