/**
 * One device's WebSocket. The first frame must authenticate (`{op:'auth', token, after}`).
 * The server then pushes every unacknowledged item after `after`, then new items as hubs
 * commit them, in mailbox order; the device acknowledges with `{op:'ack', upTo}` and may
 * submit messages over the same socket (`{op:'submit', ref, …}`).
 */
import type { WebSocket } from 'ws';
import type { Context } from '../context.ts';
import type { Caller } from '../accounts/accounts.ts';
import type { ServerFrame } from '../../shared/protocol/api.ts';
import type { PushItem } from '../mailbox/mailbox.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { groupIdParam, parseSubmission } from '../http/routes/groups.ts';
import { integer, string } from '../http/parse.ts';
import { parseClientFrame } from './frames.ts';

const AUTH_TIMEOUT_MS = 10_000;
const PAGE = 200;
/**
 * Bytes a socket may have queued before live pushes stop and the device catches up from
 * disk, one bounded page at a time, each sent only once the previous one has been written
 * out. A slow or stalled reader then costs the server about this much memory, not its whole
 * mailbox.
 */
export const HIGH_WATER_BYTES = 256 * 1024;
/** Payload bytes of one catch-up page (at least one item is always sent). */
export const BACKLOG_PAGE_BYTES = 256 * 1024;

export function handleSocket(socket: WebSocket, ctx: Context, registry: SocketRegistry): void {
  let caller: Caller | undefined;
  let lastSent = 0;
  let unsubscribe: (() => void) | undefined;
  /** True once the backlog is sent: new items are pushed as hubs commit them. */
  let live = false;
  let pumping = false;
  const send = (frame: ServerFrame): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  const sendItems = (items: PushItem[]): string => {
    lastSent = items.at(-1)!.seq;
    ctx.metrics.pushed += items.length;
    return `{"op":"items","items":[${items.map((i) => i.json).join(',')}]}`;
  };
  // Items arrive pre-serialised (one JSON text per item, shared by all its recipients).
  const pushItems = (items: PushItem[]): void => {
    if (!live || socket.readyState !== socket.OPEN) return;
    const fresh = items.filter((i) => i.seq > lastSent);
    if (fresh.length === 0) return;
    let size = 0;
    for (const i of fresh) size += i.json.length;
    if (socket.bufferedAmount + size > HIGH_WATER_BYTES) {
      // Too much for this reader right now: the pump sends it from disk as the socket drains.
      live = false;
      void pump();
      return;
    }
    socket.send(sendItems(fresh));
  };
  /**
   * Sends what is waiting on disk after `lastSent`, page by page, waiting for each page to be
   * written out, until a read finds nothing more; then goes live in the same synchronous step,
   * so nothing committed in between can be missed (pushes run after each commit).
   */
  const pump = async (): Promise<void> => {
    if (pumping || caller === undefined) return;
    pumping = true;
    try {
      while (socket.readyState === socket.OPEN) {
        const page = ctx.mailboxes.page(caller.deviceId, lastSent, PAGE, BACKLOG_PAGE_BYTES);
        if (page.items.length === 0) {
          live = true;
          return;
        }
        const frame = sendItems(page.items.map((i) => ({ seq: i.seq, json: JSON.stringify(i) })));
        await written(socket, frame);
      }
    } finally {
      pumping = false;
    }
  };
  const timer = setTimeout(() => socket.close(4001, 'authenticate first'), AUTH_TIMEOUT_MS);
  ctx.metrics.connections++;

  const onFrame = async (frame: Record<string, unknown>): Promise<void> => {
    const op = frame['op'];
    if (caller === undefined) {
      if (op !== 'auth') throw new FoyerError('unauthenticated', 'the first frame must be auth');
      const me = ctx.sessions.authenticate(string(frame, 'token', { max: 64 }));
      caller = me;
      clearTimeout(timer);
      lastSent =
        frame['after'] === undefined
          ? 0
          : integer(frame, 'after', { min: 0, max: Number.MAX_SAFE_INTEGER });
      // Subscribe first: pushes are ignored until the pump has sent the backlog and gone live.
      unsubscribe = ctx.mailboxes.subscribe(me.deviceId, pushItems);
      registry.add(me.deviceId, socket);
      send({ op: 'ready', deviceId: me.deviceId });
      void pump();
      return;
    }
    ctx.sessionLimiter.take(`d:${caller.deviceId}`);
    switch (op) {
      case 'ack': {
        const upTo = integer(frame, 'upTo', { min: 0, max: Number.MAX_SAFE_INTEGER });
        ctx.ackLater(caller.deviceId, upTo);
        return;
      }
      case 'submit': {
        const ref = integer(frame, 'ref', { min: 0, max: Number.MAX_SAFE_INTEGER });
        try {
          const groupId = groupIdParam({ groupId: frame['groupId'] });
          const result = await ctx.forwarder.submit(caller, groupId, parseSubmission(frame));
          send({ op: 'submitted', ref, ...result });
        } catch (err) {
          if (!(err instanceof FoyerError)) throw err;
          send(errorFrame(err, ref));
        }
        return;
      }
      case 'ping':
        send({ op: 'pong' });
        return;
      default:
        throw new FoyerError('bad_request', 'unknown op');
    }
  };

  socket.on('message', (data, isBinary) => {
    let frame: Record<string, unknown>;
    try {
      frame = parseClientFrame(data as Buffer, isBinary);
    } catch (err) {
      if (!(err instanceof FoyerError)) throw err;
      send(errorFrame(err));
      return;
    }
    onFrame(frame).catch((err: unknown) => {
      if (err instanceof FoyerError) {
        send(errorFrame(err));
        if (caller === undefined) socket.close(4001, err.code);
        return;
      }
      ctx.log.error({ err }, 'websocket frame failed');
      send(errorFrame(new FoyerError('internal', 'internal error')));
    });
  });
  socket.on('close', () => {
    clearTimeout(timer);
    unsubscribe?.();
    if (caller !== undefined) registry.remove(caller.deviceId, socket);
    ctx.metrics.connections--;
  });
  socket.on('error', (err) => ctx.log.debug({ err }, 'websocket error'));
}

/** Sends `data` and resolves once it has been written to the connection (or it closed). */
function written(socket: WebSocket, data: string): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('close', done);
      resolve();
    };
    socket.once('close', done);
    // The callback runs when the frame has left the process (or with an error if it never will).
    socket.send(data, done);
  });
}

function errorFrame(err: FoyerError, ref?: number): ServerFrame {
  const frame: ServerFrame = { op: 'error', code: err.code, message: err.message };
  if (ref !== undefined) frame.ref = ref;
  if (err.details !== undefined) frame.details = err.details;
  return frame;
}

/** Open sockets by device, so revocation can close them. */
export class SocketRegistry {
  private readonly byDevice = new Map<string, Set<WebSocket>>();

  add(deviceId: string, s: WebSocket): void {
    let set = this.byDevice.get(deviceId);
    if (set === undefined) this.byDevice.set(deviceId, (set = new Set()));
    set.add(s);
  }

  remove(deviceId: string, s: WebSocket): void {
    const set = this.byDevice.get(deviceId);
    set?.delete(s);
    if (set?.size === 0) this.byDevice.delete(deviceId);
  }

  /** Sends one frame to every open socket of a device. */
  notify(deviceId: string, frame: ServerFrame): void {
    const text = JSON.stringify(frame);
    for (const s of this.byDevice.get(deviceId) ?? []) if (s.readyState === s.OPEN) s.send(text);
  }

  close(deviceId: string, code: number, reason: string): void {
    for (const s of this.byDevice.get(deviceId) ?? []) s.close(code, reason);
  }

  closeAll(): void {
    for (const set of this.byDevice.values()) for (const s of set) s.close(1001, 'server stopping');
  }
}
