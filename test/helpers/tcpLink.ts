/**
 * A TCP link on loopback between one instance and another's port, that a test cuts and heals:
 * cut, it refuses new connections and drops open ones (the peer sees the network fail, as
 * when the other side is unreachable); healed, it relays again on the same port. Instances
 * name each other through it in `--federation-peers`.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { freePort } from './federation.ts';

export class TcpLink {
  readonly port: number;
  private readonly target: number;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(port: number, target: number) {
    this.port = port;
    this.target = target;
  }

  /** A link to 127.0.0.1:`target`, up. */
  static async open(target: number): Promise<TcpLink> {
    const link = new TcpLink(await freePort(), target);
    await link.heal();
    return link;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Relays again (on the same port). */
  async heal(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((inbound) => {
      const outbound = connect(this.target, '127.0.0.1');
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  /** Refuses new connections and drops the open ones. */
  async cut(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.close();
    for (const s of this.sockets) s.destroy();
    if (server.listening) await once(server, 'close');
  }
}
