/** Public, unauthenticated routes: instance discovery, health and metrics. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { PROTOCOL_VERSION, type WellKnown } from '../../../shared/protocol/api.ts';
import { toBase64Url } from '../../../shared/protocol/bytes.ts';
import { ping } from '../../storage/sqlite.ts';

export const SOFTWARE = 'foyer/0.1.0';

export function wellKnownRoutes(app: FastifyInstance, ctx: Context): void {
  const wellKnown: WellKnown = {
    domain: ctx.config.domain,
    protocol: PROTOCOL_VERSION,
    instanceKey: toBase64Url(ctx.instance.publicKey),
    software: SOFTWARE,
  };
  app.get('/.well-known/foyer', async () => wellKnown);

  app.get('/healthz', async () => {
    ping(ctx.db);
    return { status: 'ok' };
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return ctx.metrics.render({
      accepted: ctx.hub.accepted,
      enqueued: ctx.mailboxes.enqueued,
      queueDepth: ctx.mailboxes.depth(),
      queueBytes: ctx.mailboxes.depthBytes(),
      refused: ctx.mailboxes.refused,
      users: ctx.accountStores.users.countLive(),
      devices: ctx.accountStores.users.countDevices().active,
      groups: ctx.hub.groups.count(),
      batches: ctx.writer.batches,
      batchedJobs: ctx.writer.jobs,
    });
  });
}
