/** Devices, user lookup and key packages. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { array, bytesValue, object, optionalBytes } from '../parse.ts';
import { parseNewDevice } from './accounts.ts';
import { DEVICE_ID_RE, USER_NAME_RE } from '../../../shared/protocol/names.ts';
import { FoyerError } from '../../../shared/protocol/errors.ts';
import { toBase64Url } from '../../../shared/protocol/bytes.ts';

const MAX_KEY_PACKAGE = 4096;
const MAX_UPLOAD = 50;

function userName(params: unknown): string {
  const name = (params as { name?: unknown }).name;
  if (typeof name !== 'string' || !USER_NAME_RE.test(name)) {
    throw new FoyerError('invalid_name', 'user name is not valid');
  }
  return name;
}

export function deviceRoutes(app: FastifyInstance, ctx: Context): void {
  app.get('/api/v1/devices', async (req) => {
    const caller = ctx.auth(req);
    return { devices: ctx.accounts.listDevices(caller.userId) };
  });

  app.post('/api/v1/devices', async (req) => {
    const caller = ctx.auth(req);
    const credential = await ctx.accounts.addDevice(caller, parseNewDevice(object(req.body)));
    return { credential: toBase64Url(credential) };
  });

  app.delete('/api/v1/devices/:id', async (req, reply) => {
    const caller = ctx.auth(req);
    const id = (req.params as { id?: unknown }).id;
    if (typeof id !== 'string' || !DEVICE_ID_RE.test(id)) {
      throw new FoyerError('bad_request', 'device id is not valid');
    }
    await ctx.accounts.revokeDevice(caller, id);
    ctx.sessions.forgetDevice(id);
    ctx.hub.deviceRevoked(id);
    await ctx.writer.run((tx) => ctx.mailboxes.drop(tx, id));
    ctx.closeDeviceSockets(id);
    return reply.code(204).send();
  });

  app.get('/api/v1/users/:name', async (req) => {
    ctx.auth(req);
    return ctx.accounts.userInfo(userName(req.params));
  });

  app.post('/api/v1/users/:name/keypackages', async (req) => {
    const caller = ctx.auth(req);
    const name = userName(req.params);
    return ctx.keyPackages.claim(caller, name, ctx.accounts.liveDevices(name));
  });

  app.get('/api/v1/keypackages', async (req) => {
    const caller = ctx.auth(req);
    return ctx.keyPackages.countFull(caller.deviceId);
  });

  app.post('/api/v1/keypackages', async (req) => {
    const caller = ctx.auth(req);
    const body = object(req.body);
    const packages = array(body, 'keyPackages', { max: MAX_UPLOAD }).map((v, i) =>
      bytesValue(v, `keyPackages[${i}]`, { max: MAX_KEY_PACKAGE }),
    );
    const lastResort = optionalBytes(body, 'lastResort', { max: MAX_KEY_PACKAGE });
    return ctx.keyPackages.upload(caller, packages, lastResort);
  });
}
