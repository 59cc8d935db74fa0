/**
 * The running account: the engine over IndexedDB, its HTTP transport and push socket, and the
 * signals the screens read. Loaded lazily (it carries MLS and Argon2id), once the person has
 * typed a passphrase.
 */
import { batch, signal } from '@preact/signals';
import {
  Engine,
  FoyerError,
  HttpTransport,
  isErrorCode,
  type ConversationView,
  type EngineEvent,
  type MessageView,
  type WhoAmI,
} from '../lib/engine.ts';
import { IdbStorage } from '../store/idbStorage.ts';
import { notifyIncoming } from './notify.ts';
import { ServerApi } from './api.ts';
import { shortName } from '../lib/addresses.ts';
import { holdStore } from '../state/tabLock.ts';

/** How long a typing notice stays on screen without a new one. */
const TYPING_MS = 6000;

export interface Toast {
  id: number;
  message: string;
  code: string;
}

export class Live {
  readonly engine: Engine;
  readonly transport: HttpTransport;
  readonly me: WhoAmI;
  readonly api: ServerApi;
  readonly conversations = signal<ConversationView[]>([]);
  readonly messages = signal<ReadonlyMap<string, MessageView[]>>(new Map());
  readonly online = signal<boolean>(navigator.onLine);
  readonly typing = signal<Readonly<Record<string, { user: string; until: number }>>>({});
  readonly identityChanged = signal<readonly string[]>([]);
  readonly outboxSize = signal(0);
  readonly errors = signal<readonly Toast[]>([]);
  /** The conversation on screen (its messages are marked read as they arrive). */
  readonly selected = signal<string | null>(null);
  private readonly offs: Array<() => void> = [];
  private nextToast = 1;
  /** Lets another tab open the store, once this engine is closed. */
  private readonly releaseStore: () => void;

  private constructor(engine: Engine, transport: HttpTransport, releaseStore: () => void) {
    this.engine = engine;
    this.transport = transport;
    this.releaseStore = releaseStore;
    this.me = engine.whoami();
    this.api = new ServerApi(transport);
  }

  /** Starts the background delivery and loads what the first screen shows. */
  static async start(
    engine: Engine,
    transport: HttpTransport,
    releaseStore: () => void,
  ): Promise<Live> {
    const live = new Live(engine, transport, releaseStore);
    live.offs.push(engine.on((e) => live.onEvent(e)));
    const onOnline = (): void => void live.reconnect();
    // The browser knows it lost the network before the push socket notices.
    const onOffline = (): void => void (live.online.value = false);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    live.offs.push(() => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    });
    // History first, from the local store: the list paints before any network round trip.
    await live.refreshConversations();
    engine.start();
    void live.refreshOutbox();
    return live;
  }

  async refreshConversations(): Promise<void> {
    this.conversations.value = await this.engine.conversations();
  }

  async refreshOutbox(): Promise<void> {
    this.outboxSize.value = (await this.engine.outbox()).length;
  }

  /** Loads a conversation's history into the signal (oldest first). */
  async loadMessages(conversationId: string): Promise<void> {
    const list = await this.engine.messages(conversationId);
    const next = new Map(this.messages.value);
    next.set(conversationId, list);
    this.messages.value = next;
  }

  async open(conversationId: string | null): Promise<void> {
    this.selected.value = conversationId;
    if (conversationId === null) return;
    await this.loadMessages(conversationId);
    await this.markRead(conversationId);
  }

  async markRead(conversationId: string): Promise<void> {
    if (document.visibilityState !== 'visible') return;
    const conv = this.conversations.value.find((c) => c.id === conversationId);
    if (conv === undefined || conv.unread === 0) return;
    await this.engine.markRead(conversationId);
    await this.refreshConversations();
  }

  async send(conversationId: string, text: string): Promise<void> {
    await this.engine.send(conversationId, text);
    await this.refreshOutbox();
  }

  /** Sends a failed message again, under the same id (it goes back to pending). */
  async retry(message: MessageView): Promise<void> {
    await this.engine.resend(message.conversationId, message.id);
    await this.refreshOutbox();
  }

  /** The network came back: resync now rather than at the next backoff step. */
  async reconnect(): Promise<void> {
    this.online.value = true;
    try {
      await this.engine.sync();
    } catch (err) {
      if (!(err instanceof FoyerError && err.code === 'network')) this.report(err);
    }
    await this.sendWaitingNow();
  }

  /**
   * The way to the server is back: what the outbox holds leaves now, even entries whose retry
   * backed off during the outage (they keep their ids, so nothing is delivered twice).
   */
  async sendWaitingNow(): Promise<void> {
    try {
      await this.engine.flush(true);
    } catch (err) {
      if (!(err instanceof FoyerError && err.code === 'network')) this.report(err);
    }
    await this.refreshOutbox();
  }

  report(err: unknown): void {
    const code = err instanceof FoyerError ? err.code : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    const toast = { id: this.nextToast++, message, code };
    this.errors.value = [...this.errors.value.slice(-2), toast];
  }

  dismiss(id: number): void {
    this.errors.value = this.errors.value.filter((t) => t.id !== id);
  }

  /** Stops delivery and closes the store (lock, sign-out, another tab took over). */
  async close(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    try {
      await this.engine.close();
    } finally {
      this.releaseStore();
    }
  }

  private upsertMessage(m: MessageView): void {
    const list = this.messages.value.get(m.conversationId);
    if (list === undefined) return; // not loaded: it will be read from the store when opened
    const at = list.findIndex((x) => x.id === m.id);
    const nextList = at === -1 ? [...list, m] : list.map((x, i) => (i === at ? m : x));
    const next = new Map(this.messages.value);
    next.set(m.conversationId, nextList);
    this.messages.value = next;
  }

  private setState(
    conversationId: string,
    messageId: string,
    state: MessageView['state'],
    reason?: string,
  ): void {
    const list = this.messages.value.get(conversationId);
    if (list === undefined) return;
    const next = new Map(this.messages.value);
    next.set(
      conversationId,
      list.map((m) => (m.id === messageId ? { ...m, state, reason: reason ?? m.reason } : m)),
    );
    this.messages.value = next;
  }

  private onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'message':
        batch(() => {
          this.upsertMessage(e.message);
          const typing = { ...this.typing.value };
          delete typing[e.conversationId];
          this.typing.value = typing;
        });
        if (!e.message.outgoing) {
          notifyIncoming(this.conversations.value, e.message, this.me.domain);
          if (this.selected.value === e.conversationId) {
            void this.refreshConversations().then(() => this.markRead(e.conversationId));
            return;
          }
        }
        void this.refreshConversations();
        void this.refreshOutbox();
        return;
      case 'message_state':
        this.setState(e.conversationId, e.messageId, e.state, e.reason);
        void this.refreshOutbox();
        return;
      case 'conversation_added':
      case 'conversation_updated':
      case 'conversation_removed':
        void this.refreshConversations();
        return;
      case 'typing': {
        const until = Date.now() + TYPING_MS;
        this.typing.value = {
          ...this.typing.value,
          [e.conversationId]: { user: shortName(e.address, this.me.domain), until },
        };
        setTimeout(() => {
          const cur = this.typing.value[e.conversationId];
          if (cur !== undefined && cur.until <= Date.now()) {
            const typing = { ...this.typing.value };
            delete typing[e.conversationId];
            this.typing.value = typing;
          }
        }, TYPING_MS + 50);
        return;
      }
      case 'identity_changed':
        {
          const who = shortName(e.address, this.me.domain);
          if (!this.identityChanged.value.includes(who)) {
            this.identityChanged.value = [...this.identityChanged.value, who];
          }
        }
        return;
      case 'connection':
        this.online.value = e.state === 'online';
        if (e.state === 'online') void this.sendWaitingNow();
        return;
      case 'error':
        // Network trouble shows as the offline banner, not as an error.
        if (e.code !== 'network') {
          this.report(new FoyerError(isErrorCode(e.code) ? e.code : 'internal', e.message));
        }
        return;
    }
  }
}

function serverUrl(): string {
  return location.origin;
}

function transportFactory(): { transport: () => HttpTransport; get: () => HttpTransport } {
  let made: HttpTransport | undefined;
  return {
    transport: () => (made = new HttpTransport(serverUrl())),
    get: () => {
      if (made === undefined) throw new Error('the engine made no transport');
      return made;
    },
  };
}

/** Opens the account stored in this browser. @throws FoyerError locked on a wrong passphrase */
export async function unlock(passphrase: string): Promise<Live> {
  return withStore(async (storage, t, releaseStore) => {
    const engine = await Engine.open(storage, passphrase, { transport: t.transport });
    return Live.start(engine, t.get(), releaseStore);
  });
}

/**
 * Opens the store once no other tab's engine has it open, and runs `fn` with it; on failure
 * closes the store and lets other tabs have it.
 */
async function withStore(
  fn: (
    storage: IdbStorage,
    t: ReturnType<typeof transportFactory>,
    releaseStore: () => void,
  ) => Promise<Live>,
): Promise<Live> {
  const releaseStore = await holdStore();
  let storage: IdbStorage | undefined;
  try {
    storage = await IdbStorage.open();
    return await fn(storage, transportFactory(), releaseStore);
  } catch (err) {
    await storage?.close();
    releaseStore();
    throw err;
  }
}

/** Creates the account from an invite. */
export async function register(invite: string, name: string, passphrase: string): Promise<Live> {
  return withStore(async (storage, t, releaseStore) => {
    const engine = await Engine.register(
      storage,
      passphrase,
      { server: serverUrl(), invite, name },
      { transport: t.transport },
    );
    return Live.start(engine, t.get(), releaseStore);
  });
}

/**
 * Makes this browser a new device of an existing account: `show` receives the code (and its
 * QR payload) to approve on a device already signed in.
 */
export async function link(
  passphrase: string,
  show: (code: string, qr: string) => void,
  signal: AbortSignal,
): Promise<Live> {
  return withStore(async (storage, t, releaseStore) => {
    const engine = await Engine.link(storage, passphrase, serverUrl(), show, {
      transport: t.transport,
      signal,
    });
    return Live.start(engine, t.get(), releaseStore);
  });
}
