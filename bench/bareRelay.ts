/**
 * The bare relay: the reference the household-25 benchmark sets Foyer beside. A minimal
 * `ws` server with no storage, no crypto, no authentication: a connection names its
 * conversations once (`{"op":"hello","groups":[…]}` → `{"op":"ready"}`); each
 * `{"op":"submit","ref",groupId,message,id}` frame is acknowledged to the sender with
 * `{"op":"submitted","ref"}` and its message is queued for every other connection of that
 * conversation. Anything else (acks) is read and dropped. It shows what Node and `ws` alone
 * can do on the machine; it is not a server anyone should run.
 *
 * Deliveries are batched the way Foyer pushes them, so that the two are compared on the same
 * frames: Foyer sends one `{"op":"items","items":[…]}` frame per device per write batch, with
 * each item serialised once for all its recipients; the relay sends one such frame per
 * connection per turn of the event loop (everything forwarded while handling the frames
 * that arrived in that turn), with the same item fields.
 *
 *   node bench/bareRelay.ts [--port N]     prints "relay listening on ws://127.0.0.1:PORT"
 */
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const MAX_FRAME = 1536 * 1024;

/** One connection: its own item sequence and the items waiting for the next flush. */
interface Peer {
  ws: WebSocket;
  seq: number;
  pending: string[];
}

const members = new Map<string, Set<Peer>>();
const dirty = new Set<Peer>();
let flushScheduled = false;

/** Sends each connection what was queued for it in this turn of the event loop, in one frame. */
function flush(): void {
  flushScheduled = false;
  for (const p of dirty) {
    if (p.ws.readyState === p.ws.OPEN) p.ws.send(`{"op":"items","items":[${p.pending.join(',')}]}`);
    p.pending = [];
  }
  dirty.clear();
}

function forward(from: Peer, groupId: string, message: unknown, id: unknown): void {
  const set = members.get(groupId);
  if (set === undefined) return;
  // Serialised once for every recipient; only the sequence number differs.
  const shared = `,"kind":"message","groupId":${JSON.stringify(groupId)},"payload":${JSON.stringify(message)},"id":${JSON.stringify(id)},"receivedAt":${Date.now()}}`;
  for (const p of set) {
    if (p === from) continue;
    p.pending.push(`{"seq":${++p.seq}${shared}`);
    dirty.add(p);
  }
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(values.port),
  perMessageDeflate: false,
  maxPayload: MAX_FRAME,
});

wss.on('connection', (ws) => {
  const me: Peer = { ws, seq: 0, pending: [] };
  let groups: string[] = [];
  ws.on('message', (data: Buffer) => {
    let f: {
      op?: unknown;
      ref?: unknown;
      groupId?: unknown;
      groups?: unknown;
      message?: unknown;
      id?: unknown;
    };
    try {
      f = JSON.parse(data.toString()) as typeof f;
    } catch (err) {
      ws.close(1007, `not JSON: ${String(err)}`);
      return;
    }
    if (f.op === 'submit' && typeof f.groupId === 'string') {
      forward(me, f.groupId, f.message, f.id);
      ws.send(`{"op":"submitted","ref":${Number(f.ref)}}`);
    } else if (f.op === 'hello' && Array.isArray(f.groups)) {
      groups = f.groups.filter((g): g is string => typeof g === 'string');
      for (const g of groups) {
        let set = members.get(g);
        if (set === undefined) members.set(g, (set = new Set()));
        set.add(me);
      }
      ws.send('{"op":"ready"}');
    }
  });
  ws.on('close', () => {
    for (const g of groups) members.get(g)?.delete(me);
    dirty.delete(me);
  });
});

wss.on('listening', () => {
  const addr = wss.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : Number(values.port);
  console.log(`relay listening on ws://127.0.0.1:${port}`);
});

const stop = (): void => {
  for (const c of wss.clients) c.terminate();
  wss.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
