/**
 * The client engine: the one object a shell (CLI, web app) talks to. It owns the encrypted
 * store, the server transport and the MLS states, and runs every state change under one
 * lock. Create it with `Engine.register`, `Engine.link` (a new device of an existing user)
 * or `Engine.open` (an existing store).
 */
import { FoyerError } from '../protocol/errors.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { DEFAULT_TUNING, type EngineContext, type EngineTuning } from './core/context.ts';
import { EncryptedStore, type OpenStoreOptions } from './store/encryptedStore.ts';
import { Emitter, type Listener } from './core/events.ts';
import { HttpTransport, normaliseServerUrl } from './transport/httpTransport.ts';
import { rec, type AccountRecord } from './store/model.ts';
import { Mutex } from './core/mutex.ts';
import type { SocketFactory } from './transport/push.ts';
import type { Storage } from './store/storage.ts';
import type { Transport } from './transport/transport.ts';
import { EngineTrustStore, type Pin } from './identity/trust.ts';
import { deviceSigner, registerAccount } from './identity/account.ts';
import { parseInvite } from './identity/invite.ts';
import { storeSessionKeeper } from './identity/sessionRecord.ts';
import { ensureKeyPackages } from './devices/keyPackageStock.ts';
import { linkAsNewDevice } from './devices/link.ts';
import { EngineApi } from './engineApi.ts';
import { flushOutbox } from './outbox/outbox.ts';
import { Dispatcher } from './sync/dispatcher.ts';
import { syncMailboxLocked } from './sync/incoming.ts';
import { runJobs } from './sync/jobRunner.ts';
import { publishSettings } from './settings/channel.ts';

export interface EngineOptions {
  clock?: Clock;
  /** Builds the transport for a server URL (default: HttpTransport over fetch). */
  transport?: (server: string) => Transport;
  tuning?: Partial<EngineTuning>;
  /** Argon2id cost for a NEW store (tests lower it). */
  kdf?: OpenStoreOptions['kdf'];
  socketFactory?: SocketFactory;
}

export interface RegisterInput {
  /** The server URL; optional when `invite` is a full invite link. */
  server?: string;
  /** The invite code, or the invite link `https://host/join#CODE`. */
  invite: string;
  name: string;
}

function makeTransport(opts: EngineOptions, server: string): Transport {
  return (opts.transport ?? ((s: string) => new HttpTransport(s)))(normaliseServerUrl(server));
}

/**
 * Opens the store for a new account (refusing one that already holds an account) and stores
 * the account `make` produces. When `make` fails on a store created here, the store is
 * discarded again, so that a retry may use another passphrase.
 */
async function withFreshStore(
  storage: Storage,
  passphrase: string,
  opts: EngineOptions,
  make: () => Promise<AccountRecord>,
): Promise<{ store: EncryptedStore; account: AccountRecord }> {
  const existed = await EncryptedStore.exists(storage);
  const store = await EncryptedStore.open(storage, passphrase, {
    create: true,
    ...(opts.kdf === undefined ? {} : { kdf: opts.kdf }),
  });
  if ((await store.get(rec.account)) !== undefined) {
    throw new FoyerError('usage', 'this client store already holds an account');
  }
  let account: AccountRecord;
  try {
    account = await make();
  } catch (err) {
    if (!existed) await store.discardEmpty();
    throw err;
  }
  await store.tx().putRecord(rec.account, account).commit();
  return { store, account };
}

export class Engine extends EngineApi {
  /** Opens an existing store. @throws FoyerError locked (wrong passphrase), not_found */
  static async open(
    storage: Storage,
    passphrase: string,
    opts: EngineOptions = {},
  ): Promise<Engine> {
    const store = await EncryptedStore.open(storage, passphrase);
    const account = await store.getRecord<AccountRecord>(rec.account, 'account', 1);
    if (account === undefined) {
      throw new FoyerError(
        'not_found',
        'the client store holds no account (register or link first)',
      );
    }
    return Engine.fromAccount(store, account, opts, makeTransport(opts, account.server));
  }

  /**
   * Registers a new user with an invite, stores the account and uploads key packages.
   * @throws FoyerError usage, invalid_name, invite_invalid, name_taken, network…
   */
  static async register(
    storage: Storage,
    passphrase: string,
    input: RegisterInput,
    opts: EngineOptions = {},
  ): Promise<Engine> {
    const invite = parseInvite(input.invite);
    const server = input.server ?? invite.server;
    if (server === undefined)
      throw new FoyerError('usage', 'give the server URL or the full invite link');
    const transport = makeTransport(opts, server);
    const clock = opts.clock ?? systemClock;
    const { store, account } = await withFreshStore(storage, passphrase, opts, () =>
      registerAccount(transport, input.name, invite.code, clock.now()),
    );
    const engine = Engine.fromAccount(store, account, opts, transport);
    await engine.run((ctx) => ensureKeyPackages(ctx));
    return engine;
  }

  /**
   * Links this (new) device to an existing user: shows a code through `show`, waits for
   * another device of the user to approve it, then stores the account and uploads key
   * packages. The approving device adds this one to every conversation afterwards.
   */
  static async link(
    storage: Storage,
    passphrase: string,
    server: string,
    show: (code: string, qr: string) => void,
    opts: EngineOptions & { signal?: AbortSignal } = {},
  ): Promise<Engine> {
    const transport = makeTransport(opts, server);
    const clock = opts.clock ?? systemClock;
    let pins: Record<string, Pin> = {};
    const { store, account } = await withFreshStore(storage, passphrase, opts, async () => {
      const linked = await linkAsNewDevice(transport, clock, show, opts.signal);
      pins = linked.pins;
      return linked.account;
    });
    const engine = Engine.fromAccount(store, account, opts, transport);
    await engine.run(async (ctx) => {
      await ctx.trust.importPins(pins);
      await ensureKeyPackages(ctx);
    });
    return engine;
  }

  private static fromAccount(
    store: EncryptedStore,
    account: AccountRecord,
    opts: EngineOptions,
    transport: Transport,
  ): Engine {
    const clock = opts.clock ?? systemClock;
    const events = new Emitter();
    transport.setSigner(deviceSigner(account), storeSessionKeeper(store));
    const trust = new EngineTrustStore(
      store,
      events,
      {
        user: account.user,
        domain: account.domain,
        identityKey: account.identityKey.publicKey,
        instanceKey: account.instanceKey,
      },
      () => clock.now(),
      (domain) => transport.instance(domain),
    );
    const ctx: EngineContext = {
      store,
      transport,
      clock,
      events,
      account,
      trust,
      deps: { trust },
      me: { signature: account.deviceKey, credential: account.credential },
      lock: new Mutex(),
      dispatch: new Dispatcher(),
      tuning: { ...DEFAULT_TUNING, ...opts.tuning },
      stats: { wrongEpochRetries: 0, commitsAccepted: 0 },
    };
    // The composition root: the only module that knows both ends of the follow-up work.
    ctx.dispatch.wire({
      catchUp: () => syncMailboxLocked(ctx),
      // Settings changed by incoming snapshots (or left unsent offline) go out after the jobs.
      runJobs: async () => {
        await runJobs(ctx);
        await publishSettings(ctx);
      },
      flushOutbox: (force) => flushOutbox(ctx, force),
    });
    return new Engine(ctx, opts.socketFactory);
  }

  /** Subscribes to engine events; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    return this.ctx.events.on(listener);
  }
}
