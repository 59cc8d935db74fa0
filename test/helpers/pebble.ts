/**
 * Debian's pebble (a real ACME server, for tests) on loopback, with pebble-challtestsrv as
 * its DNS server answering 127.0.0.1 for every name: certificates for `foyer.test` are
 * issued after pebble fetched the HTTP-01 challenge from Foyer's own HTTP port on loopback.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { request } from 'node:https';

export const PEBBLE = '/usr/bin/pebble';
export const CHALLTESTSRV = '/usr/bin/pebble-challtestsrv';

/** false, or why pebble tests cannot run here. */
export const pebbleMissing: false | string =
  existsSync(PEBBLE) && existsSync(CHALLTESTSRV)
    ? false
    : 'Debian package pebble is not installed (apt-get install pebble)';

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForLine(proc: ChildProcess, re: RegExp, what: string): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const on = (d: Buffer): void => {
      out += d.toString();
      if (re.test(out)) resolve();
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.once('exit', (code) => reject(new Error(`${what} exited (${code}):\n${out}`)));
  });
}

export interface Pebble {
  directory: string;
  /** The listener certificate to trust for the ACME API (NODE_EXTRA_CA_CERTS). */
  apiCaFile: string;
  /** The root that signs issued certificates (new at every pebble start). */
  root(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts challtestsrv and pebble; `httpPort` is where pebble fetches HTTP-01 challenges. */
export async function startPebble(
  dir: string,
  httpPort: number,
  validitySeconds: number,
): Promise<Pebble> {
  const cert = join(dir, 'pebble-cert.pem');
  const key = join(dir, 'pebble-key.pem');
  const ssl = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  if (ssl.status !== 0) throw new Error(`openssl failed: ${ssl.stderr.toString()}`);
  const [api, mgmt, tlsPort, dns, challMgmt] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const config = join(dir, 'pebble.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${api}`,
        managementListenAddress: `127.0.0.1:${mgmt}`,
        certificate: cert,
        privateKey: key,
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        certificateValidityPeriod: validitySeconds,
      },
    }),
  );
  const chall = spawn(
    CHALLTESTSRV,
    [
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
      '-dns01',
      `127.0.0.1:${dns}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-management',
      `127.0.0.1:${challMgmt}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForLine(chall, /Starting challenge servers|DNS server/i, 'pebble-challtestsrv');
  const pebble = spawn(PEBBLE, ['-config', config, '-dnsserver', `127.0.0.1:${dns}`], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForLine(pebble, /ACME directory available/, 'pebble');
  const stop = async (p: ChildProcess): Promise<void> => {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await once(p, 'exit');
    }
  };
  return {
    directory: `https://localhost:${api}/dir`,
    apiCaFile: cert,
    root: () =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: mgmt,
            path: '/roots/0',
            servername: 'localhost',
            ca: readFileSync(cert),
          },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve(body));
          },
        );
        req.on('error', reject);
        req.end();
      }),
    async stop() {
      await stop(pebble);
      await stop(chall);
    },
  };
}
