/**
 * The Foyer server: builds every service over the open database, mounts the routes and
 * listens. `foyer start` (src/cli) opens the database and calls `startServer`.
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import websocket from '@fastify/websocket';
import type { Logger } from 'pino';
import { listSetting, type Config } from './config.ts';
import type { Db } from './storage/sqlite.ts';
import type { Context } from './context.ts';
import { Accounts, type InstanceSigner } from './accounts/accounts.ts';
import { Sessions } from './accounts/sessions.ts';
import { Revocations } from './accounts/revocations.ts';
import { KeyPackages } from './accounts/keyPackages.ts';
import { accountStores } from './accounts/store/index.ts';
import { ACK_DELAY_MS, Mailboxes } from './mailbox/mailbox.ts';
import { Hub } from './hub/hub.ts';
import { DeliveryRouter } from './delivery/router.ts';
import { Links } from './links/links.ts';
import { Writer } from './writer.ts';
import { StorageBudget } from './storage/budget.ts';
import { RateLimiter } from './http/rateLimit.ts';
import { limitConnectionsPerAddress } from './http/connectionCap.ts';
import { addressGroup } from './http/addressGroup.ts';
import { Metrics } from './metrics.ts';
import { accountRoutes, bearer } from './http/routes/accounts.ts';
import { deviceRoutes } from './http/routes/devices.ts';
import { groupRoutes, SUBMIT_BODY_LIMIT } from './http/routes/groups.ts';
import { mailboxRoutes } from './http/routes/mailbox.ts';
import { linkRoutes } from './http/routes/links.ts';
import { wellKnownRoutes } from './http/routes/wellKnown.ts';
import { healthRoutes } from './http/routes/health.ts';
import { webAppRoutes } from './http/routes/webApp.ts';
import { loadWebFiles } from './web/webFiles.ts';
import { adminRoutes } from './http/routes/admin.ts';
import { federationRoutes } from './http/routes/federation.ts';
import { createFederation } from './federation/federation.ts';
import { Forwarder } from './federation/forward.ts';
import { SECURITY_HEADERS } from './web/securityHeaders.ts';
import { handleSocket, SocketRegistry } from './ws/session.ts';
import { FoyerError } from '../shared/protocol/errors.ts';
import type { KeyPair } from './tls/certStore.ts';
import { HSTS_VALUE, wantsHsts } from './tls/hsts.ts';

/** Default body limit; message submission has its own, larger one. */
export const BODY_LIMIT = 64 * 1024;
const SWEEP_INTERVAL_MS = 60_000;
const HEADERS_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
/** A plain HTTP connection with no traffic at all for this long is closed. */
const IDLE_TIMEOUT_MS = 120_000;
const REVOCATION_POLL_MS = 2_000;

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  deps: { db: Db; instanceKey: InstanceSigner; log: Logger; tls?: KeyPair | undefined },
): Promise<RunningServer> {
  const { db, log } = deps;
  const MiB = 1024 * 1024;
  const mailboxes = new Mailboxes(db, {
    ttlMs: config.mailboxTtlDays * 24 * 3600 * 1000,
    quota: config.mailboxQuota,
    deviceBytes: config.mailboxQuotaMib * MiB,
    userBytes: config.userQuotaMib * MiB,
    budget: new StorageBudget(db, {
      limitBytes: config.storageBudgetMib * MiB,
      dir: config.dataDir,
    }),
  });
  // Revocations committed by another process (`foyer user remove`) are picked up at each
  // write batch and each authentication; their in-memory consequences follow here.
  const revocations = new Revocations(
    db,
    (deviceIds) => {
      for (const id of deviceIds) {
        sessions.forgetDevice(id);
        sockets.close(id, 4003, 'device_revoked');
      }
      // The other process emptied these mailboxes; this resets the counts (and removes any
      // item a batch that raced with it may have queued).
      writer
        .run((tx) => {
          for (const id of deviceIds) mailboxes.drop(tx, id);
        })
        .catch((err: unknown) => log.error({ err }, 'mailbox cleanup after revocation failed'));
    },
    (deviceIds) => {
      // A user disabled (here or by `foyer user disable`): its sessions are gone; cut its sockets.
      for (const id of deviceIds) {
        sessions.forgetDevice(id);
        sockets.close(id, 4004, 'account_disabled');
      }
    },
  );
  const writer = new Writer(db, {
    beforeJobs: () => revocations.refresh(),
    beforeCommit: (tx) => mailboxes.applyDeferredAcks(tx),
    afterCommit: () => mailboxes.publishBatch(),
    // A batch that fails to commit leaves the caches ahead of the disk: reload them.
    onAbort: () => {
      hub.reset();
      mailboxes.reloadSizes();
    },
  });
  const stores = accountStores(db);
  const accounts = new Accounts(stores, writer, config, deps.instanceKey);
  const federation = createFederation({
    db,
    writer,
    config,
    log,
    mailboxes,
    sign: (data) => deps.instanceKey.sign(data),
    isLiveDevice: (id) => !revocations.has(id) && stores.users.device(id)?.revokedAt === null,
    // The hub is built just below; this runs only once requests arrive.
    isHubHere: (groupId) => hub.isHubOf(groupId),
  });
  const router = new DeliveryRouter({
    domain: config.domain,
    mailboxes,
    revoked: revocations,
    remote: federation.route,
  });
  const hub = new Hub(db, writer, router, accounts, revocations);
  const sessions = new Sessions(stores, writer, config.sessionTtlHours * 3600 * 1000, revocations);
  const sockets = new SocketRegistry();
  let ackTimer: NodeJS.Timeout | undefined;
  const ctx: Context = {
    config,
    db,
    log,
    instance: deps.instanceKey,
    accounts,
    accountStores: stores,
    sessions,
    keyPackages: new KeyPackages(stores, writer, config.maxKeyPackages, (deviceId, available) =>
      sockets.notify(deviceId, { op: 'keypackages', available }),
    ),
    hub,
    mailboxes,
    links: new Links(db),
    writer,
    sessionLimiter: new RateLimiter(config.rateLimitPerSession),
    metrics: new Metrics(),
    federation,
    forwarder: new Forwarder({
      client: federation.client,
      store: federation.store,
      hub,
      relay: federation.relay,
    }),
    auth(request) {
      const caller = sessions.authenticate(bearer(request.headers.authorization));
      this.sessionLimiter.take(`d:${caller.deviceId}`);
      return caller;
    },
    ackLater(deviceId, upTo) {
      mailboxes.deferAck(deviceId, upTo);
      if (ackTimer === undefined && !writer.busy) {
        ackTimer = setTimeout(() => {
          ackTimer = undefined;
          if (mailboxes.hasDeferredAcks()) {
            writer
              .run(() => undefined)
              .catch((err: unknown) => log.error({ err }, 'ack batch failed'));
          }
        }, ACK_DELAY_MS);
      }
    },
    closeDeviceSockets(deviceId) {
      sockets.close(deviceId, 4003, 'device_revoked');
    },
    disabledUsersChanged() {
      revocations.reloadDisabled();
    },
  };

  // A child, so that its level can change during listen without touching the caller's logger.
  const fastifyLog = log.child({});
  const app = Fastify({
    loggerInstance: fastifyLog as FastifyBaseLogger,
    // Request logs would carry URLs with user names and group ids: off by default.
    logController: new LogController({ disableRequestLogging: !config.logIdentifiers }),
    bodyLimit: BODY_LIMIT,
    // Behind a reverse proxy, the client address is in X-Forwarded-For (the per-address limits
    // need it); only the configured proxy addresses may set it.
    trustProxy: config.tls === 'proxy' ? listSetting(config.trustedProxies) : false,
    // Slow clients must not hold connections forever (slow headers, slow bodies, idle
    // keep-alives). Node checks these every connectionsCheckingInterval; WebSockets are
    // exempt once upgraded (their own authentication timeout and pings apply).
    ...serverOptions(
      {
        headersTimeout: Math.min(HEADERS_TIMEOUT_MS, config.requestTimeoutSeconds * 1000),
        requestTimeout: config.requestTimeoutSeconds * 1000,
        connectionsCheckingInterval: 1000,
      },
      deps.tls,
    ),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: IDLE_TIMEOUT_MS,
  });
  limitConnectionsPerAddress(app.server, config.maxConnectionsPerAddress);
  const addressLimiter = new RateLimiter(config.rateLimitPerAddress);
  // Keyed on the route the router matched, never on the raw URL: `/%61pi/v1/…` reaches the
  // same handler as `/api/v1/…` and must meet the same limit. Unmatched requests (404s) count
  // too, so probing for routes is limited like using them.
  app.addHook('onRequest', async (req) => {
    const route = req.routeOptions.url;
    if (route === undefined || route.startsWith('/api/') || route.startsWith('/federation/')) {
      addressLimiter.take(`a:${addressGroup(req.ip)}`);
    }
  });
  if ((deps.tls !== undefined || config.tls === 'proxy') && wantsHsts(config.publicUrl)) {
    app.addHook('onSend', async (_req, reply) => {
      reply.header('strict-transport-security', HSTS_VALUE);
    });
  }
  app.addHook('onResponse', async (_req, reply) => ctx.metrics.countResponse(reply.statusCode));
  app.addHook('onSend', async (_req, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  app.setErrorHandler((err: FastifyError | FoyerError, _req, reply) => {
    const e = toFoyerError(err);
    if (e.code === 'internal') log.error({ err }, 'request failed');
    return reply.code(e.status).send(e.toBody());
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send(new FoyerError('not_found', 'no such route').toBody()),
  );

  await app.register(websocket, {
    options: { maxPayload: SUBMIT_BODY_LIMIT },
    errorHandler(err, socket) {
      // ws's own WS_ERR_* codes are the client breaking the protocol (an oversized or
      // malformed frame): ws already closes that socket with the right status. Not our fault.
      if ((err as { code?: unknown }).code?.toString().startsWith('WS_ERR_') === true) {
        log.debug({ err }, 'websocket protocol error from a client');
        return;
      }
      log.error({ err }, 'websocket failed');
      socket.terminate();
    },
  });
  app.get('/api/v1/ws', { websocket: true }, (socket) => handleSocket(socket, ctx, sockets));
  wellKnownRoutes(app, ctx);
  healthRoutes(app, db);
  accountRoutes(app, ctx);
  deviceRoutes(app, ctx);
  groupRoutes(app, ctx);
  mailboxRoutes(app, ctx);
  linkRoutes(app, ctx);
  adminRoutes(app, ctx);
  federationRoutes(app, ctx);
  webAppRoutes(app, () => loadWebFiles(config.webRoot));

  const sweep = setInterval(() => {
    const now = Date.now();
    writer
      .run((tx) => {
        sessions.sweep(tx, now);
        mailboxes.expire(tx, now);
        hub.groups.forgetSeen(tx, now);
        ctx.links.store.deleteExpired(tx, now);
        federation.store.forgetSeen(tx, Math.floor(now / (24 * 3600 * 1000)));
      })
      .catch((err: unknown) => log.error({ err }, 'sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  // Write batches and authentications already refresh; this closes the idle sockets of a
  // device revoked elsewhere when the household is quiet. One pragma per tick.
  const revocationPoll = setInterval(() => {
    try {
      revocations.refresh();
    } catch (err) {
      log.error({ err }, 'revocation refresh failed');
    }
  }, REVOCATION_POLL_MS);
  revocationPoll.unref();

  // Fastify logs "Server listening" at info; `foyer start` prints its own human line, and a
  // JSON line in the middle of that text only confuses. Quiet during listen only.
  const level = fastifyLog.level;
  fastifyLog.level = 'warn';
  try {
    await app.listen({ host: config.host, port: config.port });
  } finally {
    fastifyLog.level = level;
  }
  federation.sender.start();
  federation.relay.start();
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `${deps.tls === undefined ? 'http' : 'https'}://${host}:${port}`,
    app,
    async close() {
      clearInterval(sweep);
      clearInterval(revocationPoll);
      federation.sender.stop();
      federation.relay.stop();
      if (ackTimer !== undefined) clearTimeout(ackTimer);
      if (mailboxes.hasDeferredAcks()) await writer.run(() => undefined);
      sockets.closeAll();
      await app.close();
    },
  };
}

/**
 * Fastify's server options: plain HTTP, or HTTPS with the same timeouts (https.createServer
 * takes the http.Server options too). Typed loosely because Fastify's types fix the server
 * kind at compile time, and here it is chosen by configuration.
 */
function serverOptions(
  timeouts: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number },
  tls: KeyPair | undefined,
): { http: typeof timeouts } {
  if (tls === undefined) return { http: timeouts };
  return { https: { ...timeouts, key: tls.key, cert: tls.cert } } as unknown as {
    http: typeof timeouts;
  };
}

/** Maps framework and library errors onto the stable codes. */
function toFoyerError(err: FastifyError | FoyerError): FoyerError {
  if (err instanceof FoyerError) return err;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new FoyerError('payload_too_large', 'request body is too large');
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new FoyerError(
      'bad_request',
      err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'request body must be application/json'
        : 'request is malformed',
    );
  }
  return new FoyerError('internal', 'internal error');
}
