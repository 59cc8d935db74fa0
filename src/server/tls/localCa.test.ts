/**
 * The local authority's limits, checked by OpenSSL itself (Node's TLS client): a certificate
 * it issues for a household name is accepted, one for a public name or address is refused
 * for breaking the authority's name constraints even though the authority signed it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import {
  createAuthority,
  inPermittedRange,
  issueServerCertificate,
  uncoveredNames,
  type Authority,
} from './localCa.ts';

async function handshake(ca: Authority, names: string[], servername: string): Promise<string> {
  const pair = await issueServerCertificate(ca, names);
  const server = createServer(pair, (_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  try {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: ca.certPem });
    return await new Promise<string>((resolve) => {
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('trusted');
      });
      socket.once('error', (err) => resolve(err.message));
    });
  } finally {
    server.close();
  }
}

test('a device trusting the authority accepts household names only', async () => {
  const ca = await createAuthority(['foyer.local', 'maison.lan']);
  assert.equal(await handshake(ca, ['foyer.local'], 'foyer.local'), 'trusted');
  assert.equal(await handshake(ca, ['maison.lan'], 'maison.lan'), 'trusted');
  assert.equal(await handshake(ca, ['autre.local'], 'autre.local'), 'trusted');
  // Signed by the authority, yet refused: the constraints bind whoever holds its key.
  assert.match(await handshake(ca, ['bank.example'], 'bank.example'), /subtree violation/);
  assert.match(await handshake(ca, ['foyer.local', '8.8.8.8'], 'foyer.local'), /subtree violation/);
});

test('names outside the constraints are found before any certificate is issued', async () => {
  const ca = await createAuthority(['foyer.local']);
  assert.deepEqual(
    await uncoveredNames(ca, ['foyer.local', 'x.foyer.local', '192.168.1.20', '::1']),
    [],
  );
  assert.deepEqual(await uncoveredNames(ca, ['maison.example', '8.8.8.8', '172.32.0.1']), [
    'maison.example',
    '8.8.8.8',
    '172.32.0.1',
  ]);
  assert.equal(inPermittedRange('172.31.255.1'), true);
  assert.equal(inPermittedRange('fd12::1'), true);
  assert.equal(inPermittedRange('2001:db8::1'), false);
});
