/**
 * Several Foyer instances on a private network of namespaces: each instance is a real server
 * process with its own data folder in its own namespace and address, joined to the others
 * through a bridge in a namespace of its own, speaking HTTPS with certificates from a test
 * authority every instance trusts (`--federation-ca`). Domains map to addresses with
 * `--federation-peers`. A link is cut by setting the bridge's end of an instance's veth down.
 *
 * Test devices run in the test process: each instance is also reached through a Unix socket
 * (paths cross namespaces) and a loopback listener, so nothing is added to the host's own
 * network. Needs root and Linux ({@link netnsUnavailable}).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { CLI, childEnv, createInvite, removeDir, tempDir } from './server.ts';
import { createTestCa } from './testCa.ts';
import { trustExtraCa } from '../../src/server/federation/extraCa.ts';

export { netnsUnavailable } from './netns.ts';

const PORT = 8443;
/** The CLI clients' store passphrase. */
const CLIENT_PASSPHRASE = 'correct horse battery staple';
const FORWARDER = resolve(import.meta.dirname, 'nsForward.ts');
const STAND_IN = resolve(import.meta.dirname, 'nsStandIn.ts');
const STAND_IN_PORT = 80;

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr}`);
}

/** Resolves once `out()` matches `re`; rejects if the process exits first. */
function waitFor(proc: ChildProcess, out: () => string, re: RegExp): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const check = (): void => {
      if (re.test(out())) {
        proc.stdout!.off('data', check);
        proc.stderr!.off('data', check);
        proc.off('exit', exited);
        resolveWait();
      }
    };
    const exited = (code: number | null): void =>
      reject(new Error(`process exited (${code}) before ${re}:\n${out()}`));
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', check);
    proc.once('exit', exited);
    check();
  });
}

export interface FedInstance {
  domain: string;
  /** The namespace it runs in, and its address there. */
  ns: string;
  address: string;
  dataDir: string;
  /** Where test devices reach it (loopback, forwarded into the namespace). */
  url: string;
  adminInvite: string;
  proc: ChildProcess;
  output(): string;
  /** A fresh invite code (the admin command, beside the running server). */
  invite(): string;
  /** Items waiting in this instance's outbound queue for `peer` (`foyer federation list`). */
  queued(peer: string): number;
  /** Messages this instance holds for `hub`, a group's hub it could not reach. */
  held(hub: string): number;
  /** Runs `foyer ARGS --data DIR` (an admin command beside the running server). */
  admin(args: string[]): string;
  /**
   * Runs `foyer client ARGS --store STORE --json` inside this instance's namespace (a device
   * on the instance's network, trusting the test authority); resolves with its last JSON line.
   * @throws when the client exits with an error
   */
  client(store: string, ...args: string[]): Promise<any>;
  /** The server's own URL on the namespace network. */
  innerUrl: string;
  /** Starts the server (again, on the same data folder). */
  start(): Promise<void>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export interface FedNet {
  instances: FedInstance[];
  standIns: StandIn[];
  get(domain: string): FedInstance;
  /** Cuts the instance off the network (its link down), or heals it. */
  cut(domain: string): void;
  heal(domain: string): void;
  close(): Promise<void>;
}

/** A peer instance played by the test in its own namespace: it serves discovery only. */
export interface StandIn {
  domain: string;
  /** Shows `publicKey` in its discovery document from now on. */
  showKey(publicKey: Uint8Array): Promise<void>;
}

/**
 * Creates the network and starts one instance per domain.
 * @param opts.extraArgs more `foyer start` flags per domain (e.g. a short queue age)
 * @param opts.standIns domains played by the test (hostile instances), known to every instance
 */
export async function createFedNet(
  domains: string[],
  opts: { extraArgs?: Record<string, string[]>; standIns?: string[] } = {},
): Promise<FedNet> {
  const extraArgs = opts.extraArgs ?? {};
  const standInDomains = opts.standIns ?? [];
  const tag = randomBytes(3).toString('hex');
  const dir = tempDir('foyer-fednet-');
  const octet = 100 + (randomBytes(1)[0]! % 100);
  const bridgeNs = `fy-fb-${tag}`;
  const namespaces = [bridgeNs];
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c();
    for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
    removeDir(dir);
  };
  try {
    ip(['netns', 'add', bridgeNs]);
    ip(['-n', bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', bridgeNs, 'link', 'set', 'br0', 'up']);
    const ca = createTestCa(dir);
    // The test's own devices verify the instances' certificates too.
    trustExtraCa(ca.caFile);
    const nodes = [...domains, ...standInDomains].map((domain, i) => {
      const ns = `fy-f${i}-${tag}`;
      const address = `10.${octet}.88.${i + 1}`;
      const inner = `fyi${tag}${i}`;
      const outer = `fyb${tag}${i}`;
      namespaces.push(ns);
      ip(['netns', 'add', ns]);
      ip([
        'link',
        'add',
        inner,
        'netns',
        ns,
        'type',
        'veth',
        'peer',
        'name',
        outer,
        'netns',
        bridgeNs,
      ]);
      ip(['-n', bridgeNs, 'link', 'set', outer, 'master', 'br0', 'up']);
      ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', inner]);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'link', 'set', inner, 'up']);
      return { domain, ns, address, outer };
    });
    const urlOf = (n: { domain: string; address: string }): string =>
      standInDomains.includes(n.domain)
        ? `http://${n.address}:${STAND_IN_PORT}`
        : `https://${n.address}:${PORT}`;
    const standIns: StandIn[] = [];
    for (const node of nodes.filter((n) => standInDomains.includes(n.domain))) {
      standIns.push(await startStandIn(node, cleanups));
    }
    const instances: FedInstance[] = [];
    for (const node of nodes.filter((n) => domains.includes(n.domain))) {
      const pair = ca.issue(node.domain, [node.address, '127.0.0.1']);
      const peers = nodes
        .filter((n) => n !== node)
        .map((n) => `${n.domain}=${urlOf(n)}`)
        .join(',');
      const dataDir = join(dir, node.domain);
      const args = [
        CLI,
        'start',
        '--data',
        dataDir,
        '--host',
        node.address,
        '--port',
        String(PORT),
        '--domain',
        node.domain,
        '--public-url',
        `https://${node.address}:${PORT}`,
        '--tls',
        'files',
        '--tls-cert',
        pair.cert,
        '--tls-key',
        pair.key,
        '--http-port',
        '0',
        '--federation-peers',
        peers,
        '--federation-ca',
        ca.caFile,
        ...(extraArgs[node.domain] ?? []),
      ];
      const url = await forward(node.ns, node.address, join(dir, `${node.domain}.sock`), cleanups);
      let proc: ChildProcess | undefined;
      let out = '';
      const inst: FedInstance = {
        domain: node.domain,
        ns: node.ns,
        address: node.address,
        dataDir,
        url,
        adminInvite: '',
        get proc() {
          return proc!;
        },
        output: () => out,
        invite: () => createInvite(dataDir),
        admin: (a) => admin(dataDir, a),
        innerUrl: `https://${node.address}:${PORT}`,
        client: (store, ...a) => runClient(node.ns, ca.caFile, store, a),
        queued(peer) {
          return peerList(dataDir).find((p) => p.domain === peer)?.queued ?? 0;
        },
        held(hub) {
          return peerList(dataDir).find((p) => p.domain === hub)?.held ?? 0;
        },
        async start() {
          out = '';
          const p = spawn('ip', ['netns', 'exec', node.ns, process.execPath, ...args], {
            env: childEnv(),
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          proc = p;
          p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
          p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
          await waitFor(p, () => out, /listening on https:/);
          const inviteFile = join(dataDir, 'admin-invite.txt');
          if (statSync(inviteFile, { throwIfNoEntry: false }) !== undefined) {
            inst.adminInvite =
              /#([A-Za-z0-9_-]{22})\b/.exec(readFileSync(inviteFile, 'utf8'))?.[1] ?? '';
          }
        },
        async stop() {
          await signal(proc, 'SIGTERM');
        },
        async kill9() {
          await signal(proc, 'SIGKILL');
        },
      };
      cleanups.push(() => inst.stop());
      instances.push(inst);
    }
    await Promise.all(instances.map((i) => i.start()));
    const get = (domain: string): FedInstance => {
      const i = instances.find((x) => x.domain === domain);
      if (i === undefined) throw new Error(`no instance ${domain}`);
      return i;
    };
    const outerOf = (domain: string): string => nodes.find((n) => n.domain === domain)!.outer;
    return {
      instances,
      standIns,
      get,
      cut: (domain) => ip(['-n', bridgeNs, 'link', 'set', outerOf(domain), 'down']),
      heal: (domain) => ip(['-n', bridgeNs, 'link', 'set', outerOf(domain), 'up']),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function startStandIn(
  node: { domain: string; ns: string; address: string },
  cleanups: Array<() => Promise<void> | void>,
): Promise<StandIn> {
  const p = spawn(
    'ip',
    [
      'netns',
      'exec',
      node.ns,
      process.execPath,
      STAND_IN,
      node.domain,
      node.address,
      String(STAND_IN_PORT),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  cleanups.push(() => signal(p, 'SIGTERM'));
  await waitFor(p, () => out, /ready/);
  let acks = 0;
  return {
    domain: node.domain,
    async showKey(publicKey) {
      acks++;
      const want = acks;
      p.stdin!.write(`key ${Buffer.from(publicKey).toString('base64url')}\n`);
      await waitFor(p, () => out, new RegExp(`(?:ok\\n[^]*){${want}}`));
    },
  };
}

async function runClient(ns: string, caFile: string, store: string, args: string[]): Promise<any> {
  const p = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, CLI, 'client', ...args, '--store', store, '--json'],
    {
      env: childEnv({ FOYER_PASSPHRASE: CLIENT_PASSPHRASE, NODE_EXTRA_CA_CERTS: caFile }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(p, 'close')) as [number | null];
  if (code !== 0)
    throw new Error(`foyer client ${args.join(' ')} failed (${code}): ${stdout}${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/** `foyer federation list --json`. */
function peerList(dataDir: string): Array<{ domain: string; queued: number; held: number }> {
  return (
    JSON.parse(admin(dataDir, ['federation', 'list', '--json'])) as {
      peers: Array<{ domain: string; queued: number; held: number }>;
    }
  ).peers;
}

function admin(dataDir: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args, '--data', dataDir], {
    encoding: 'utf8',
    env: childEnv(),
  });
  if (r.status !== 0) throw new Error(`foyer ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function signal(proc: ChildProcess | undefined, sig: NodeJS.Signals): Promise<void> {
  if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill(sig);
  await exited;
}

/**
 * A loopback URL for a server in `ns`: a forwarder inside the namespace listens on the Unix
 * socket `path`, and a loopback listener here pipes each connection to it.
 */
async function forward(
  ns: string,
  address: string,
  path: string,
  cleanups: Array<() => Promise<void> | void>,
): Promise<string> {
  const inner = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, FORWARDER, path, address, String(PORT)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  inner.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  inner.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  cleanups.push(() => signal(inner, 'SIGTERM'));
  await waitFor(inner, () => out, /ready/);
  const open = new Set<Socket>();
  const outer: Server = createServer((sock) => {
    const up = connect(path);
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    sock.pipe(up).pipe(sock);
    sock.on('error', () => up.destroy());
    up.on('error', () => sock.destroy());
  });
  outer.listen(0, '127.0.0.1');
  await once(outer, 'listening');
  cleanups.push(async () => {
    outer.close();
    for (const s of open) s.destroy();
  });
  return `https://127.0.0.1:${(outer.address() as AddressInfo).port}`;
}
