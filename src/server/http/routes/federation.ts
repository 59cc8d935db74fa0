/**
 * The server-to-server API (docs/federation.md). Every request is signed by the sending
 * instance (RFC 9421); the body is read raw, because its digest is part of what is signed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { FoyerError } from '../../../shared/protocol/errors.ts';
import { toBase64Url } from '../../../shared/protocol/bytes.ts';
import { isDomain, USER_NAME_RE } from '../../../shared/protocol/names.ts';
import type { KeyObject } from 'node:crypto';
import { publicKeyObject, verifyRequest } from '../../federation/signature.ts';
import { INBOX_PATH, MAX_BATCH_BYTES, parseBatch } from '../../federation/wire.ts';
import { boolean, object, string, type Json } from '../parse.ts';
import { groupIdParam, parseSubmission, SUBMIT_BODY_LIMIT } from './groups.ts';

/** A forwarded submission: the submission itself and the device that made it. */
const FORWARD_BODY_LIMIT = SUBMIT_BODY_LIMIT + 1024;

export function federationRoutes(app: FastifyInstance, ctx: Context): void {
  const fed = ctx.federation;

  /**
   * Checks a signed request and returns the proven origin.
   * @throws FoyerError bad_signature, federation_denied, rate_limited, replayed,
   * peer_unreachable, peer_key_changed
   */
  async function verified(req: FastifyRequest): Promise<{ origin: string; body: Uint8Array }> {
    const origin = req.headers['foyer-origin'];
    if (typeof origin !== 'string' || !isDomain(origin) || origin === ctx.config.domain) {
      throw new FoyerError('bad_signature', 'missing or malformed Foyer-Origin header');
    }
    // Cheap refusal first: a denied instance costs no key lookup. (The client address's
    // own limit applies before this, in app.ts.)
    fed.peers.assertAllowed(origin);
    const body = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const check = (keyFor: (o: string) => Promise<KeyObject>) =>
      verifyRequest({
        method: req.method,
        self: ctx.config.domain,
        // The path exactly as sent: it is part of what the peer signed.
        path: req.url,
        headers: req.headers,
        body,
        keyFor,
        nowSeconds,
      });
    let v;
    try {
      v = await check((o) => fed.peers.keyFor(o));
    } catch (err) {
      // Signed by another key than the pinned one: the peer may have rotated its key. Look
      // again (throttled per peer) and check once more with the key its signed rotations
      // lead to; a key they do not lead to is peer_key_changed.
      if (!(err instanceof FoyerError) || err.details?.['reason'] !== 'VerificationFailed') {
        throw err;
      }
      v = await check(async (o) => publicKeyObject(await fed.peers.refreshAfterFailure(o)));
    }
    // Counted once the origin is proven: a forger cannot spend a real peer's allowance.
    fed.limiter.take(`peer:${v.origin}`);
    fed.replays.check(v.origin, v.nonce, nowSeconds);
    return { origin: v.origin, body };
  }

  void app.register(async (scope) => {
    // Raw bytes: the Content-Digest is checked against exactly what was sent.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );

    scope.post(INBOX_PATH, { bodyLimit: MAX_BATCH_BYTES }, async (req) => {
      const { origin, body } = await verified(req);
      return fed.inbox.accept(origin, parseBatch(body), Date.now());
    });

    // A user of this instance, as a peer's user sees it (identity key, device credentials).
    scope.get('/federation/v1/users/:name', async (req) => {
      const { origin } = await verified(req);
      fed.lookups.take(`lookup:${origin}`);
      return ctx.accounts.userInfo(userName(req.params));
    });

    // One key package per live device of a user, claimed for a peer's user: the peer is
    // limited per target user like a local user is (the device and its address stay there).
    scope.post('/federation/v1/users/:name/keypackages', { bodyLimit: 1024 }, async (req) => {
      const { origin } = await verified(req);
      fed.lookups.take(`lookup:${origin}`);
      const name = userName(req.params);
      ctx.accounts.userInfo(name); // not_found for an unknown user, as locally
      return ctx.keyPackages.claimAs(
        `peer:${origin}`,
        undefined,
        name,
        ctx.accounts.liveDevices(name),
      );
    });

    // A group hubbed here, for an instance with a member device in it (which device asks,
    // the origin does not say: it checks that itself against the answer).
    scope.get('/federation/v1/groups/:groupId', async (req) => {
      const { origin } = await verified(req);
      fed.lookups.take(`lookup:${origin}`);
      return ctx.hub.statusForPeer(origin, groupIdParam(req.params));
    });

    scope.get('/federation/v1/groups/:groupId/info', async (req) => {
      const { origin } = await verified(req);
      fed.lookups.take(`lookup:${origin}`);
      const info = ctx.hub.groupInfoForPeer(origin, groupIdParam(req.params));
      return { groupInfo: toBase64Url(info.groupInfo), devices: info.devices };
    });

    // A submission of a device of the origin instance to a group hubbed here: ordered and
    // fanned out exactly as a local one. The origin can speak only for its own devices.
    // `heldAtOrigin`: an application message the origin already delivered to its own
    // members during a partition; it is not fanned back to the origin.
    scope.post(
      '/federation/v1/groups/:groupId/messages',
      { bodyLimit: FORWARD_BODY_LIMIT },
      async (req) => {
        const { origin, body } = await verified(req);
        const groupId = groupIdParam(req.params);
        const o = parseJson(body);
        const sender = object(o['sender'], 'sender');
        return ctx.hub.submitFrom(
          {
            user: string(sender, 'user', { max: 32, re: USER_NAME_RE }),
            domain: origin,
            deviceId: string(sender, 'deviceId', { max: 64, re: /^[A-Za-z0-9_-]{1,64}$/ }),
          },
          groupId,
          parseSubmission(o),
          boolean(o, 'heldAtOrigin', false),
        );
      },
    );
  });
}

function userName(params: unknown): string {
  const name = (params as { name?: unknown }).name;
  if (typeof name !== 'string' || !USER_NAME_RE.test(name)) {
    throw new FoyerError('invalid_name', 'user name is not valid');
  }
  return name;
}

function parseJson(raw: Uint8Array): Json {
  try {
    return object(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)));
  } catch (err) {
    if (err instanceof FoyerError) throw err;
    throw new FoyerError('bad_request', 'the body is not valid JSON');
  }
}
