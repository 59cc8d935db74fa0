/** Device-linking rendezvous (see src/server/links/links.ts). */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { bytes, object } from '../parse.ts';
import { MAX_LINK_PAYLOAD } from '../../links/links.ts';
import { addressGroup } from '../addressGroup.ts';
import { fromBase64Url, toBase64Url } from '../../../shared/protocol/bytes.ts';
import { FoyerError } from '../../../shared/protocol/errors.ts';

function rid(params: unknown): Uint8Array {
  const v = (params as { rid?: unknown }).rid;
  const b = typeof v === 'string' ? fromBase64Url(v) : undefined;
  if (b === undefined || b.length !== 32)
    throw new FoyerError('bad_request', 'rid must be 32 bytes of base64url');
  return b;
}

export function linkRoutes(app: FastifyInstance, ctx: Context): void {
  const sealed = (body: unknown): Uint8Array =>
    bytes(object(body), 'sealed', { max: MAX_LINK_PAYLOAD });

  app.post('/api/v1/links/:rid', async (req, reply) => {
    const id = rid(req.params);
    const payload = sealed(req.body);
    const from = addressGroup(req.socket.remoteAddress);
    await ctx.writer.run((tx) => ctx.links.request(tx, id, payload, Date.now(), from));
    return reply.code(201).send({});
  });

  app.get('/api/v1/links/:rid', async (req) => {
    ctx.auth(req);
    return { sealed: toBase64Url(ctx.links.getRequest(rid(req.params), Date.now())) };
  });

  app.post('/api/v1/links/:rid/reply', async (req) => {
    ctx.auth(req);
    const id = rid(req.params);
    const payload = sealed(req.body);
    await ctx.writer.run((tx) => ctx.links.reply(tx, id, payload, Date.now()));
    return {};
  });

  app.get('/api/v1/links/:rid/reply', async (req) => {
    return { sealed: toBase64Url(ctx.links.getReply(rid(req.params), Date.now())) };
  });
}
