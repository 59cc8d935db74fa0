/** Public, unauthenticated routes: instance discovery and metrics (health: health.ts). */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { PROTOCOL_VERSION, type WellKnown } from '../../../shared/protocol/api.ts';
import { toBase64Url } from '../../../shared/protocol/bytes.ts';
import { LIVE_USER_SQL } from '../../accounts/userAdmin.ts';
import { FOYER_VERSION, SOFTWARE } from '../../version.ts';

export function wellKnownRoutes(app: FastifyInstance, ctx: Context): void {
  const wellKnown: WellKnown = {
    domain: ctx.config.domain,
    protocol: PROTOCOL_VERSION,
    instanceKey: toBase64Url(ctx.instance.publicKey),
    software: SOFTWARE,
  };
  app.get('/.well-known/foyer', async () => wellKnown);

  app.get('/metrics', async (_req, reply) => {
    const one = (sql: string): number => (ctx.db.prepare(sql).get() as { n: number }).n;
    reply.type('text/plain; version=0.0.4');
    return ctx.metrics.render({
      accepted: ctx.hub.accepted,
      enqueued: ctx.mailboxes.enqueued,
      queueDepth: ctx.mailboxes.depth(),
      dropped: ctx.mailboxes.dropped,
      users: one(`SELECT count(*) AS n FROM users WHERE ${LIVE_USER_SQL}`),
      devices: one('SELECT count(*) AS n FROM devices WHERE revoked_at IS NULL'),
      groups: ctx.hub.groups.count(),
      batches: ctx.writer.batches,
      batchedJobs: ctx.writer.jobs,
      version: FOYER_VERSION,
    });
  });
}
