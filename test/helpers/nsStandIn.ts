/**
 * Run inside a network namespace: a peer instance played by the test, serving only its
 * discovery document on ADDRESS:PORT. The test holds the private key and signs requests
 * itself; it sets (and changes) the public key shown with a line `key BASE64URL` on stdin,
 * answered by `ok`. Prints "ready" once listening.
 *
 * Usage: node nsStandIn.ts DOMAIN ADDRESS PORT
 */
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { PROTOCOL_VERSION } from '../../src/shared/protocol/api.ts';

const [domain, host, port] = process.argv.slice(2);
if (domain === undefined || host === undefined || port === undefined) {
  process.stderr.write('usage: nsStandIn.ts DOMAIN ADDRESS PORT\n');
  process.exit(2);
}
let instanceKey = '';
const server = createServer((req, res) => {
  if (req.url !== '/.well-known/foyer' || instanceKey === '') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      domain,
      protocol: PROTOCOL_VERSION,
      instanceKey,
      software: 'stand-in',
      endpoints: { inbox: '/federation/v1/inbox' },
    }),
  );
});
createInterface({ input: process.stdin }).on('line', (line) => {
  const m = /^key ([A-Za-z0-9_-]{43})$/.exec(line.trim());
  if (m !== null) {
    instanceKey = m[1]!;
    process.stdout.write('ok\n');
  }
});
server.listen(Number(port), host, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
