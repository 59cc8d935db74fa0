/**
 * This machine's IPv4 address toward a host of the home network: the address a router must
 * forward to. A connected UDP socket makes the kernel choose the route; no packet is sent.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

export async function localAddressToward(host: string, port: number): Promise<string> {
  const socket = createSocket('udp4');
  try {
    socket.connect(port, host);
    await once(socket, 'connect');
    return socket.address().address;
  } finally {
    socket.close();
  }
}
