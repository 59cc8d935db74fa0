/**
 * The plain-HTTP side of an HTTPS Foyer (port 80 by default): answers ACME HTTP-01 challenges,
 * in `local` mode serves the certificate authority's download page (its root too, so that a
 * person typing the LAN name lands there), and sends everything else to the same path on the
 * public https:// URL. The target comes from the configuration, never from the request's Host
 * header (no open redirect).
 */
import type * as Http from 'node:http';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { ChallengeTokens } from './acme.ts';
import { CA_PATHS, CA_TYPES, caPageHtml } from './caPage.ts';

// Not `import { createServer } from 'node:http'`: building the ES module namespace of
// node:http runs its lazy `WebSocket` getters, which load Node's bundled undici (about 13 MiB
// resident, for a client this server never uses here). The CommonJS object has no such cost.
const { createServer } = createRequire(import.meta.url)('node:http') as typeof Http;
type Server = Http.Server;

const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';
const TOKEN_RE = /^[A-Za-z0-9_-]{1,256}$/;

export async function startHttpSide(opts: {
  host: string;
  port: number;
  publicUrl: string;
  tokens: ChallengeTokens;
  /** `local` mode: the authority to offer for download. */
  authority?: { pem: string; der: Uint8Array; fingerprint: string } | undefined;
}): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const origin = new URL(opts.publicUrl).origin;
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith(CHALLENGE_PREFIX)) {
      const token = path.slice(CHALLENGE_PREFIX.length);
      const answer = TOKEN_RE.test(token) ? opts.tokens.get(token) : undefined;
      res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'text/plain' });
      res.end(answer ?? 'no such challenge');
      return;
    }
    const ca = opts.authority;
    if (ca !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      const plain = path.split('?')[0];
      const reply = (type: string, body: string | Uint8Array): void => {
        res.writeHead(200, {
          'content-type': type,
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'",
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      if (plain === '/' || plain === CA_PATHS.page) {
        const lang = req.headers['accept-language'];
        return reply('text/html; charset=utf-8', caPageHtml(ca.fingerprint, opts.publicUrl, lang));
      }
      if (plain === CA_PATHS.der) return reply(CA_TYPES.der, ca.der);
      if (plain === CA_PATHS.pem) return reply(CA_TYPES.pem, ca.pem);
    }
    // Only a path: a full URL in the request line must not choose the target.
    const target = path.startsWith('/') ? path : '/';
    res.writeHead(301, { location: `${origin}${target}`, 'content-length': '0' });
    res.end();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.listen(opts.port, opts.host);
  await once(server, 'listening');
  const addr = server.address();
  return {
    server,
    port: typeof addr === 'object' && addr !== null ? addr.port : opts.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
