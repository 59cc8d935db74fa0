/**
 * Federation, assembled: the pieces the server wires in (the remote route for the delivery
 * router, the sender loop, the inbox and its guards).
 */
import type { Logger } from 'pino';
import type { Db } from '../storage/sqlite.ts';
import type { Writer } from '../writer.ts';
import type { Config } from '../config.ts';
import type { Mailboxes } from '../mailbox/mailbox.ts';
import { RateLimiter } from '../http/rateLimit.ts';
import { FederationStore } from './store.ts';
import { Peers } from './peers.ts';
import { FederationRoute } from './route.ts';
import { Sender } from './sender.ts';
import { Inbox } from './inbox.ts';
import { ReplayCache } from './replay.ts';
import { PeerClient } from './peerClient.ts';
import { REPLAY_WINDOW_SECONDS } from './signature.ts';
import { HeldStore } from './held/store.ts';
import { Relay } from './relay.ts';

export interface Federation {
  store: FederationStore;
  peers: Peers;
  route: FederationRoute;
  sender: Sender;
  inbox: Inbox;
  replays: ReplayCache;
  /** Requests per minute per peer instance. */
  limiter: RateLimiter;
  /** User lookups and key-package claims per minute per peer instance. */
  lookups: RateLimiter;
  /** Signed calls to peers (lookups, claims, forwarded submissions). */
  client: PeerClient;
  /** Messages held during a partition with a group's hub, and their way to it. */
  relay: Relay;
  held: HeldStore;
}

/** User lookups and key-package claims a peer instance may make per minute (burst 15). */
export const LOOKUPS_PER_MINUTE_PER_PEER = 60;

export function createFederation(opts: {
  db: Db;
  writer: Writer;
  config: Config;
  log: Logger;
  mailboxes: Pick<Mailboxes, 'enqueue' | 'publish'>;
  sign: (data: Uint8Array) => Uint8Array;
  isLiveDevice: (deviceId: string) => boolean;
  isHubHere: (groupId: Uint8Array) => boolean;
}): Federation {
  const { db, writer, config } = opts;
  const store = new FederationStore(db);
  const maxAgeMs = (config.federationQueueSeconds ?? config.federationQueueDays * 24 * 3600) * 1000;
  const peers = new Peers({ store, writer, map: config.federationPeers });
  const sender = new Sender({
    store,
    peers,
    writer,
    log: opts.log,
    self: config.domain,
    sign: opts.sign,
    maxAgeMs,
    mailboxes: opts.mailboxes,
  });
  const route = new FederationRoute({
    store,
    peers,
    writer,
    maxQueued: config.federationQueueMax,
    kick: () => sender.kick(),
  });
  const inbox = new Inbox({
    store,
    writer,
    mailboxes: opts.mailboxes,
    isLiveDevice: opts.isLiveDevice,
    isHubHere: opts.isHubHere,
  });
  const client = new PeerClient({ peers, self: config.domain, sign: opts.sign });
  const held = new HeldStore(db);
  const relay = new Relay({
    held,
    store,
    writer,
    mailboxes: opts.mailboxes,
    client,
    log: opts.log,
    maxAgeMs,
    maxHeld: config.federationQueueMax,
    isLiveDevice: opts.isLiveDevice,
  });
  inbox.onReceived = (origin) => relay.reachable(origin);
  return {
    store,
    peers,
    route,
    sender,
    inbox,
    replays: new ReplayCache(REPLAY_WINDOW_SECONDS),
    limiter: new RateLimiter(config.rateLimitPerAddress),
    lookups: new RateLimiter(LOOKUPS_PER_MINUTE_PER_PEER),
    client,
    relay,
    held,
  };
}
