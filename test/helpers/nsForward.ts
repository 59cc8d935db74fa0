/**
 * Run inside a network namespace: accepts connections on a Unix socket (a file path, which
 * namespaces do not isolate) and pipes each to ADDRESS:PORT in the namespace. With a loopback
 * listener on the test's side this lets test devices reach a server that lives in a namespace
 * without adding any address to the host's own network. Prints "ready" once listening.
 *
 * Usage: node nsForward.ts SOCKET_PATH ADDRESS PORT
 */
import { connect, createServer } from 'node:net';

const [path, host, port] = process.argv.slice(2);
if (path === undefined || host === undefined || port === undefined) {
  process.stderr.write('usage: nsForward.ts SOCKET_PATH ADDRESS PORT\n');
  process.exit(2);
}
const server = createServer((inbound) => {
  const outbound = connect({ host, port: Number(port) });
  inbound.pipe(outbound).pipe(inbound);
  inbound.on('error', () => outbound.destroy());
  outbound.on('error', () => inbound.destroy());
});
server.listen(path, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
