/** Registration (invite redemption) and device sessions. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import type { NewDevice } from '../../accounts/accounts.ts';
import { bytes, object, string, type Json } from '../parse.ts';
import { DEVICE_ID_RE, USER_NAME_RE } from '../../../shared/protocol/names.ts';
import { FoyerError } from '../../../shared/protocol/errors.ts';

/** Parses a DeviceRegistration. */
export function parseNewDevice(o: Json): NewDevice {
  return {
    id: string(o, 'id', { max: 22, re: DEVICE_ID_RE }),
    signatureKey: bytes(o, 'signatureKey', { max: 32, length: 32 }),
    identityKey: bytes(o, 'identityKey', { max: 32, length: 32 }),
    identitySignature: bytes(o, 'identitySignature', { max: 64, length: 64 }),
  };
}

export function accountRoutes(app: FastifyInstance, ctx: Context): void {
  app.post('/api/v1/accounts', async (req) => {
    const body = object(req.body);
    const name = body['name'];
    if (typeof name !== 'string' || !USER_NAME_RE.test(name)) {
      throw new FoyerError(
        'invalid_name',
        'name must be 1 to 32 characters: lowercase letters, digits, ".", "_" or "-"',
      );
    }
    const invite = string(body, 'invite', { max: 64 });
    const device = parseNewDevice(object(body['device'], 'device'));
    return ctx.accounts.register(invite, name, device);
  });

  app.post('/api/v1/sessions/challenge', async (req) => {
    const body = object(req.body);
    return ctx.sessions.challenge(string(body, 'deviceId', { max: 22, re: DEVICE_ID_RE }));
  });

  app.post('/api/v1/sessions', async (req) => {
    const body = object(req.body);
    return ctx.sessions.open(
      string(body, 'deviceId', { max: 22, re: DEVICE_ID_RE }),
      bytes(body, 'challenge', { max: 32, length: 32 }),
      bytes(body, 'signature', { max: 64, length: 64 }),
    );
  });

  app.delete('/api/v1/sessions/current', async (req, reply) => {
    ctx.auth(req);
    await ctx.sessions.close(bearer(req.headers.authorization)!);
    return reply.code(204).send();
  });
}

/** The token of an `Authorization: Bearer …` header. */
export function bearer(header: string | undefined): string | undefined {
  if (header === undefined || !header.startsWith('Bearer ')) return undefined;
  return header.slice(7).trim();
}
