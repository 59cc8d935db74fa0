/** Devices, user lookup and key packages. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { array, bytesValue, object, optionalBytes } from '../parse.ts';
import { parseNewDevice } from './accounts.ts';
import { DEVICE_ID_RE, isDomain } from '../../../shared/protocol/names.ts';
import { formatAddress, parseAddress, type Address } from '../../../shared/protocol/address.ts';
import { FoyerError } from '../../../shared/protocol/errors.ts';
import { toBase64Url } from '../../../shared/protocol/bytes.ts';
import type { InstanceInfo } from '../../../shared/protocol/api.ts';
import { rotationToJson } from '../../../shared/protocol/keyRotation.ts';

const MAX_KEY_PACKAGE = 4096;
const MAX_UPLOAD = 50;

/** A bare name (a user of this instance) or a full address `user@domain`. */
function person(params: unknown, self: string): Address {
  const name = (params as { name?: unknown }).name;
  if (typeof name !== 'string' || name.length > 300) {
    throw new FoyerError('invalid_name', 'user name is not valid');
  }
  const a = parseAddress(name, self);
  // parseAddress folds case and spaces for what people type; the wire takes exact names.
  if (name !== a.user && name !== formatAddress(a)) {
    throw new FoyerError('invalid_name', 'user name is not valid');
  }
  return a;
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
    const a = person(req.params, ctx.config.domain);
    if (a.domain !== ctx.config.domain) return ctx.forwarder.user(a);
    return ctx.accounts.userInfo(a.user);
  });

  app.post('/api/v1/users/:name/keypackages', async (req) => {
    const caller = ctx.auth(req);
    const a = person(req.params, ctx.config.domain);
    if (a.domain !== ctx.config.domain) return ctx.forwarder.claim(a);
    return ctx.keyPackages.claim(caller, a.user, ctx.accounts.liveDevices(a.user));
  });

  // The key of an instance, as this server pinned it, and the signed rotations that lead to
  // it: what the device checks the credentials of that instance's users against, and how it
  // follows a rotation from the key it pinned (engine/identity/instanceKeys.ts).
  app.get('/api/v1/instances/:domain', async (req): Promise<InstanceInfo> => {
    ctx.auth(req);
    const domain = (req.params as { domain?: unknown }).domain;
    if (!isDomain(domain)) throw new FoyerError('bad_request', 'domain is not valid');
    if (domain === ctx.config.domain) {
      return {
        domain,
        instanceKey: toBase64Url(ctx.instance.publicKey),
        rotations: (ctx.instance.rotations?.() ?? []).map(rotationToJson),
      };
    }
    const peers = ctx.federation.peers;
    peers.assertAllowed(domain);
    let key = await peers.rawKeyFor(domain);
    // A device asks when a credential verified under none of the keys it knows: the peer may
    // have rotated since this server last heard from it. Look again (a device's requests are
    // limited by its own rate limit); a peer that cannot be reached or shows a key its rotations do not lead to leaves the pin
    // as it is (the device then refuses that credential).
    try {
      key = await peers.refresh(domain);
    } catch (err) {
      if (!(err instanceof FoyerError)) throw err;
    }
    return {
      domain,
      instanceKey: toBase64Url(key),
      rotations: ctx.federation.store.rotations(domain).map(rotationToJson),
    };
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
