/**
 * Live delivery: a WebSocket to `/api/v1/ws` that the server pushes mailbox items into,
 * reconnected with exponential backoff; while it is down, the mailbox is polled over HTTP
 * instead. Items are handed over one batch at a time, in order, and acknowledged on the
 * socket once the handler stored their effects.
 */
import type { ClientFrame, MailboxItem } from '../../protocol/api.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { backoffDelay, type Clock } from '../core/clock.ts';
import { parseMailboxItem } from './parseReplies.ts';
import type { Transport } from './transport.ts';

export interface PushHandlers {
  /** Processes pushed items; returns the cursor to acknowledge. */
  onItems(items: MailboxItem[]): Promise<number>;
  /** A full HTTP sync: on every poll while the socket is down. */
  onPoll(): Promise<void>;
  /** The cursor to resume from. */
  cursor(): Promise<number>;
  onState(state: 'online' | 'offline'): void;
  onError(err: unknown): void;
  /**
   * The server says this device's stock of one-time key packages ran low (others claimed
   * them to add it to groups): upload fresh ones.
   */
  onKeyPackagesLow?(available: number): Promise<void>;
}

/** The subset of the WebSocket API used here (browsers and Node ≥ 22 have it globally). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  readonly readyState: number;
  send(data: string): void;
  close(): void;
}

export type SocketFactory = (url: string) => SocketLike;

const OPEN = 1;
const PING_MS = 25_000;

export interface PushOptions {
  pollIntervalMs: number;
  reconnectMaxMs: number;
  socketFactory?: SocketFactory;
}

export class PushChannel {
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly handlers: PushHandlers;
  private readonly opts: PushOptions;
  private readonly abort = new AbortController();
  private socket: SocketLike | undefined;
  private loop: Promise<void> | undefined;

  constructor(transport: Transport, clock: Clock, handlers: PushHandlers, opts: PushOptions) {
    this.transport = transport;
    this.clock = clock;
    this.handlers = handlers;
    this.opts = opts;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort(new FoyerError('network', 'stopped'));
    this.socket?.close();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      const reachedReady = await this.connectOnce();
      if (this.stopped) return;
      if (reachedReady) attempt = 0;
      // Down: poll over HTTP until it is time to try the socket again.
      const until = this.clock.now() + backoffDelay(attempt++, 1000, this.opts.reconnectMaxMs);
      while (!this.stopped) {
        await this.safely(() => this.handlers.onPoll());
        const left = until - this.clock.now();
        if (left <= 0) break;
        if (!(await this.pause(Math.min(left, this.opts.pollIntervalMs)))) return;
      }
    }
  }

  /** Sleeps unless stopped; false when stopped. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await this.clock.sleep(ms, this.abort.signal);
      return true;
    } catch (err) {
      if (this.stopped) return false;
      throw err;
    }
  }

  private async safely(fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      this.handlers.onError(err);
      return false;
    }
  }

  /** One socket's life; resolves when it closes, with whether it got to `ready`. */
  private connectOnce(): Promise<boolean> {
    const url = this.transport.baseUrl.replace(/^http/, 'ws') + '/api/v1/ws';
    const factory = this.opts.socketFactory ?? ((u: string) => new WebSocket(u) as SocketLike);
    return new Promise<boolean>((resolve) => {
      let ready = false;
      let chain: Promise<unknown> = Promise.resolve();
      let ws: SocketLike;
      try {
        ws = factory(url);
      } catch (err) {
        this.handlers.onError(new FoyerError('network', `cannot open the socket: ${String(err)}`));
        resolve(false);
        return;
      }
      this.socket = ws;
      const send = (frame: ClientFrame) => {
        if (ws.readyState === OPEN) ws.send(JSON.stringify(frame));
      };
      const pinger = setInterval(() => send({ op: 'ping' }), PING_MS);
      ws.onopen = () => {
        chain = chain.then(async () => {
          const ok = await this.safely(async () => {
            const token = await this.transport.sessionToken();
            send({ op: 'auth', token, after: await this.handlers.cursor() });
          });
          if (!ok) ws.close();
        });
      };
      ws.onmessage = (ev) => {
        const frame = parseFrame(ev.data);
        if (frame === undefined) return;
        if (frame.op === 'ready') {
          ready = true;
          this.handlers.onState('online');
        } else if (frame.op === 'items') {
          chain = chain.then(async () => {
            let upTo = 0;
            const ok = await this.safely(async () => {
              upTo = await this.handlers.onItems(frame.items);
            });
            // On failure, reconnect: the server pushes every unacknowledged item again.
            if (ok) send({ op: 'ack', upTo });
            else ws.close();
          });
        } else if (frame.op === 'keypackages') {
          const onLow = this.handlers.onKeyPackagesLow;
          // In the same chain as items: one replenishment at a time, after what came before.
          if (onLow !== undefined)
            chain = chain.then(() => this.safely(() => onLow(frame.available)));
        } else if (frame.op === 'error' && frame.ref === undefined) {
          if (frame.code === 'unauthenticated') this.transport.invalidateSession();
          this.handlers.onError(new FoyerError('network', `push socket: ${frame.message}`));
        }
      };
      ws.onerror = () => {
        // A close event follows every error; reconnecting is handled there.
      };
      ws.onclose = () => {
        clearInterval(pinger);
        this.socket = undefined;
        if (ready) this.handlers.onState('offline');
        void chain.then(() => resolve(ready));
      };
    });
  }
}

type Frame =
  | { op: 'ready' }
  | { op: 'items'; items: MailboxItem[] }
  | { op: 'keypackages'; available: number }
  | { op: 'error'; ref: unknown; code: string; message: string };

function parseFrame(data: unknown): Frame | undefined {
  if (typeof data !== 'string' || data.length > 32 * 1024 * 1024) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(data);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const f = o as Record<string, unknown>;
  if (f.op === 'ready') return { op: 'ready' };
  if (f.op === 'items' && Array.isArray(f.items)) {
    try {
      return { op: 'items', items: f.items.map(parseMailboxItem) };
    } catch (err) {
      if (err instanceof FoyerError) return undefined;
      throw err;
    }
  }
  if (f.op === 'keypackages') {
    const available = f.available;
    if (typeof available !== 'number' || !Number.isSafeInteger(available) || available < 0)
      return undefined;
    return { op: 'keypackages', available };
  }
  if (f.op === 'error') {
    return {
      op: 'error',
      ref: f.ref,
      code: typeof f.code === 'string' ? f.code : 'internal',
      message: typeof f.message === 'string' ? f.message : 'error',
    };
  }
  return undefined;
}
