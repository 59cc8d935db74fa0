/** Group hubs: creation, status, GroupInfo and message submission. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import type { Submission } from '../../hub/hub.ts';
import {
  bytes,
  GROUP_ID_RE,
  MESSAGE_ID_RE,
  object,
  optionalBytes,
  string,
  type Json,
} from '../parse.ts';
import { fromBase64Url, toBase64Url } from '../../../shared/protocol/bytes.ts';
import { FoyerError } from '../../../shared/protocol/errors.ts';

/** Largest MLS message a hub accepts (a commit adding a whole household is ~30 KB). */
export const MAX_MLS_MESSAGE = 512 * 1024;
export const SUBMIT_BODY_LIMIT = 3 * MAX_MLS_MESSAGE;

export function groupIdParam(params: unknown): Uint8Array {
  const v = (params as { groupId?: unknown }).groupId;
  const id = typeof v === 'string' && GROUP_ID_RE.test(v) ? fromBase64Url(v) : undefined;
  if (id === undefined)
    throw new FoyerError('bad_request', 'groupId must be 16 to 64 bytes of base64url');
  return id;
}

/** Parses a SubmitRequest (HTTP body or WebSocket frame). */
export function parseSubmission(o: Json): Submission {
  return {
    id: string(o, 'id', { max: 64, re: MESSAGE_ID_RE }),
    message: bytes(o, 'message', { max: MAX_MLS_MESSAGE }),
    welcome: optionalBytes(o, 'welcome', { max: MAX_MLS_MESSAGE }),
    groupInfo: optionalBytes(o, 'groupInfo', { max: MAX_MLS_MESSAGE }),
  };
}

export function groupRoutes(app: FastifyInstance, ctx: Context): void {
  app.post('/api/v1/groups', async (req) => {
    const caller = ctx.auth(req);
    const body = object(req.body);
    const groupId = bytes(body, 'groupId', { max: 64 });
    if (groupId.length < 16) throw new FoyerError('bad_request', 'groupId must be 16 to 64 bytes');
    return ctx.hub.create(
      caller,
      groupId,
      optionalBytes(body, 'groupInfo', { max: MAX_MLS_MESSAGE }),
    );
  });

  // A group hubbed elsewhere is asked of its hub, through this server (docs/federation.md).
  app.get('/api/v1/groups/:groupId', async (req) => {
    return ctx.forwarder.status(ctx.auth(req), groupIdParam(req.params));
  });

  app.delete('/api/v1/groups/:groupId', async (req) => {
    await ctx.hub.forget(ctx.auth(req), groupIdParam(req.params));
    return { forgotten: true };
  });

  app.get('/api/v1/groups/:groupId/info', async (req) => {
    const info = await ctx.forwarder.groupInfo(ctx.auth(req), groupIdParam(req.params));
    return { groupInfo: toBase64Url(info) };
  });

  app.post('/api/v1/groups/:groupId/messages', { bodyLimit: SUBMIT_BODY_LIMIT }, async (req) => {
    const caller = ctx.auth(req);
    return ctx.forwarder.submit(
      caller,
      groupIdParam(req.params),
      parseSubmission(object(req.body)),
    );
  });
}
