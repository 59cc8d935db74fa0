/** Mailbox polling and acknowledgement (the WebSocket is the fast path). */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { integer, object, queryInteger } from '../parse.ts';

export const MAX_PAGE = 500;

export function mailboxRoutes(app: FastifyInstance, ctx: Context): void {
  app.get('/api/v1/mailbox', async (req) => {
    const caller = ctx.auth(req);
    const q = req.query as { after?: unknown; limit?: unknown };
    const after = queryInteger(q.after, 'after', {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      fallback: 0,
    });
    const limit = queryInteger(q.limit, 'limit', { min: 1, max: MAX_PAGE, fallback: 100 });
    return ctx.mailboxes.page(caller.deviceId, after, limit);
  });

  app.post('/api/v1/mailbox/ack', async (req) => {
    const caller = ctx.auth(req);
    const upTo = integer(object(req.body), 'upTo', { min: 0, max: Number.MAX_SAFE_INTEGER });
    const deleted = await ctx.writer.run((tx) => ctx.mailboxes.ack(tx, caller.deviceId, upTo));
    return { deleted };
  });
}
