/**
 * A cap on open connections per client address, applied as each TCP connection arrives
 * (before any HTTP parsing), so one address cannot hold every socket the server can afford.
 */
import type { Server } from 'node:http';
import { addressGroup } from './addressGroup.ts';

/** Closes any connection beyond `max` open from the same address. */
export function limitConnectionsPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = addressGroup(socket.remoteAddress);
    const n = (open.get(address) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
