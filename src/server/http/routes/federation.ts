/**
 * The server-to-server API (docs/federation.md). Every request is signed by the sending
 * instance (RFC 9421); the body is read raw, because its digest is part of what is signed.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { FoyerError } from '../../../shared/protocol/errors.ts';
import { isDomain } from '../../../shared/protocol/names.ts';
import { verifyRequest } from '../../federation/signature.ts';
import { INBOX_PATH, MAX_BATCH_BYTES, parseBatch } from '../../federation/wire.ts';

export function federationRoutes(app: FastifyInstance, ctx: Context): void {
  const fed = ctx.federation;
  void app.register(async (scope) => {
    // Raw bytes: the Content-Digest is checked against exactly what was sent.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(INBOX_PATH, { bodyLimit: MAX_BATCH_BYTES }, async (req) => {
      const origin = req.headers['foyer-origin'];
      if (typeof origin !== 'string' || !isDomain(origin) || origin === ctx.config.domain) {
        throw new FoyerError('bad_signature', 'missing or malformed Foyer-Origin header');
      }
      // Cheap refusal first: a denied instance costs no key lookup. (The client address's
      // own limit applies before this, in app.ts.)
      fed.peers.assertAllowed(origin);
      const body = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array();
      const nowSeconds = Math.floor(Date.now() / 1000);
      const verified = await verifyRequest({
        method: req.method,
        self: ctx.config.domain,
        path: INBOX_PATH,
        headers: req.headers,
        body,
        keyFor: (o) => fed.peers.keyFor(o),
        nowSeconds,
      });
      // Counted once the origin is proven: a forger cannot spend a real peer's allowance.
      fed.limiter.take(`peer:${verified.origin}`);
      fed.replays.check(verified.origin, verified.nonce, nowSeconds);
      const items = parseBatch(body);
      return fed.inbox.accept(verified.origin, items, Date.now());
    });
  });
}
