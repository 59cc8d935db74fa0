/** Public, unauthenticated routes: instance discovery and metrics (health: health.ts). */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { PROTOCOL_VERSION, type WellKnown } from '../../../shared/protocol/api.ts';
import { toBase64Url } from '../../../shared/protocol/bytes.ts';
import { FoyerError } from '../../../shared/protocol/errors.ts';
import { INBOX_PATH } from '../../federation/wire.ts';
import { rotationToJson } from '../../../shared/protocol/keyRotation.ts';
import { FOYER_VERSION, SOFTWARE } from '../../version.ts';

export function wellKnownRoutes(app: FastifyInstance, ctx: Context): void {
  // Built per request: an administrator may rotate the key while the server runs.
  app.get('/.well-known/foyer', async (): Promise<WellKnown> => ({
    domain: ctx.config.domain,
    protocol: PROTOCOL_VERSION,
    instanceKey: toBase64Url(ctx.instance.publicKey),
    software: SOFTWARE,
    endpoints: { inbox: INBOX_PATH },
    rotations: (ctx.instance.rotations?.() ?? []).map(rotationToJson),
  }));

  app.get('/metrics', async (req, reply) => {
    if (!isLocalRequest(req.socket.remoteAddress, req.headers)) {
      // Counts of users, devices and groups are for whoever runs the machine; to anyone else
      // this route does not exist.
      throw new FoyerError('not_found', 'no such route');
    }
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
      version: FOYER_VERSION,
    });
  });
}

/**
 * True for a request made on this machine: from a loopback address and not relayed by a
 * reverse proxy on the same machine (which would make every visitor look local).
 */
export function isLocalRequest(
  address: string | undefined,
  headers: Record<string, string | string[] | undefined>,
): boolean {
  if (headers['x-forwarded-for'] !== undefined || headers['forwarded'] !== undefined) return false;
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
