/**
 * The bare relay: the reference the household-25 benchmark sets Foyer beside. A minimal
 * `ws` server with no storage, no crypto, no authentication: a connection names its
 * conversations once (`{"op":"hello","groups":[…]}` → `{"op":"ready"}`); each
 * `{"op":"submit","ref",groupId,…}` frame is forwarded as it is to every other connection of
 * that conversation, then acknowledged to the sender with `{"op":"submitted","ref"}`.
 * Anything else (acks) is read and dropped. It shows what Node and `ws` alone can do on the
 * machine; it is not a server anyone should run.
 *
 *   node bench/bareRelay.ts [--port N]     prints "relay listening on ws://127.0.0.1:PORT"
 */
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const MAX_FRAME = 1536 * 1024;

const members = new Map<string, Set<WebSocket>>();
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(values.port),
  perMessageDeflate: false,
  maxPayload: MAX_FRAME,
});

wss.on('connection', (ws) => {
  let groups: string[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    let f: { op?: unknown; ref?: unknown; groupId?: unknown; groups?: unknown };
    try {
      f = JSON.parse(data.toString()) as typeof f;
    } catch (err) {
      ws.close(1007, `not JSON: ${String(err)}`);
      return;
    }
    if (f.op === 'submit' && typeof f.groupId === 'string') {
      const set = members.get(f.groupId);
      if (set !== undefined)
        for (const peer of set) if (peer !== ws) peer.send(data, { binary: isBinary });
      ws.send(`{"op":"submitted","ref":${Number(f.ref)}}`);
    } else if (f.op === 'hello' && Array.isArray(f.groups)) {
      groups = f.groups.filter((g): g is string => typeof g === 'string');
      for (const g of groups) {
        let set = members.get(g);
        if (set === undefined) members.set(g, (set = new Set()));
        set.add(ws);
      }
      ws.send('{"op":"ready"}');
    }
  });
  ws.on('close', () => {
    for (const g of groups) members.get(g)?.delete(ws);
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
