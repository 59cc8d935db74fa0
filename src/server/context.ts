/** Everything a route needs, built once at start (src/server/app.ts). */
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db } from './storage/sqlite.ts';
import type { Accounts, Caller, InstanceSigner } from './accounts/accounts.ts';
import type { Sessions } from './accounts/sessions.ts';
import type { AccountStores } from './accounts/store/index.ts';
import type { KeyPackages } from './accounts/keyPackages.ts';
import type { Hub } from './hub/hub.ts';
import type { Mailboxes } from './mailbox/mailbox.ts';
import type { Links } from './links/links.ts';
import type { Writer } from './writer.ts';
import type { RateLimiter } from './http/rateLimit.ts';
import type { Metrics } from './metrics.ts';
import type { Federation } from './federation/federation.ts';
import type { Forwarder } from './federation/forward.ts';

export interface Context {
  config: Config;
  db: Db;
  log: Logger;
  instance: InstanceSigner;
  accounts: Accounts;
  /** The accounts query layer, for counts (metrics). */
  accountStores: AccountStores;
  sessions: Sessions;
  keyPackages: KeyPackages;
  hub: Hub;
  mailboxes: Mailboxes;
  links: Links;
  writer: Writer;
  sessionLimiter: RateLimiter;
  metrics: Metrics;
  /** Peer instances: discovery, the outbound queues, the inbox. */
  federation: Federation;
  /** Lookups, claims and submissions a device makes about another instance, forwarded. */
  forwarder: Forwarder;
  /** The authenticated caller of a request (Bearer token). @throws FoyerError unauthenticated */
  auth(request: FastifyRequest): Caller;
  /** Records a WebSocket ack, applied with the next write batch (within ACK_DELAY_MS). */
  ackLater(deviceId: string, upTo: number): void;
  /** Closes every open socket of a device (after revocation). */
  closeDeviceSockets(deviceId: string): void;
  /**
   * After this process disabled or enabled a user: re-read who is disabled (ending the cached
   * sessions and sockets of the newly disabled).
   */
  disabledUsersChanged(): void;
}
