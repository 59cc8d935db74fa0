/**
 * Several Foyer instances on a private network of namespaces: each instance is a real server
 * process with its own data folder in its own namespace and address, joined to the others
 * through a bridge in a namespace of its own, speaking HTTPS with certificates from a test
 * authority every instance trusts (`--federation-ca`). Domains map to addresses with
 * `--federation-peers`. A link is cut by setting the bridge's end of an instance's veth down.
 *
 * Test devices run in the test process: each instance is also reached through a Unix socket
 * (paths cross namespaces) and a loopback listener, so nothing is added to the host's own
 * network. A hostile peer instance runs in a namespace of its own too, and attacks the
 * instances across the same bridge ({@link HostilePeer}). Needs root and Linux
 * ({@link netnsUnavailable}).
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
const HOSTILE = resolve(import.meta.dirname, 'nsHostile.ts');
const HOSTILE_PORT = 80;

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
  /**
   * Runs `foyer client ARGS --store STORE` inside this instance's namespace as a person would
   * (no `--json`): its exit code and what it printed, whatever the outcome.
   */
  clientAsPerson(store: string, ...args: string[]): Promise<ClientRun>;
  /** The server's own URL on the namespace network. */
  innerUrl: string;
  /** Starts the server (again, on the same data folder). */
  start(): Promise<void>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

/** A finished `foyer client` run. */
export interface ClientRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface FedNet {
  instances: FedInstance[];
  /** The hostile instances, in the order of `opts.hostile`. */
  hostiles: HostilePeer[];
  get(domain: string): FedInstance;
  /** Cuts the instance off the network (its link down), or heals it. */
  cut(domain: string): void;
  heal(domain: string): void;
  close(): Promise<void>;
}

/**
 * A hostile peer instance in its own namespace (test/helpers/nsHostile.ts): it serves its
 * discovery document and sends its attacks to a real instance across the network.
 */
export interface HostilePeer {
  domain: string;
  /** One attack on `target`; resolves with the target's answer. */
  attack(target: FedInstance, attack: string, extra?: AttackOptions): Promise<AttackAnswer>;
  /**
   * Repeats `attacks` on `target`, round after round, until the returned `stop` is called;
   * `rounds(n)` resolves once n rounds are done. `stop` resolves with the count of each
   * attack's answers by code.
   */
  flood(
    target: FedInstance,
    attacks: string[],
    extra?: AttackOptions,
  ): Promise<{
    rounds(n: number): Promise<void>;
    stop(): Promise<Record<string, Record<string, number>>>;
  }>;
}

/** What some attacks need: a group id, the recipients, the instance to pose as. */
export interface AttackOptions {
  groupId?: string;
  devices?: string[];
  poseAs?: string;
}

/** The attacked instance's answer: HTTP status and error code, or the network failure. */
export interface AttackAnswer {
  status: number;
  code?: string;
  body?: any;
  network?: string;
}

/**
 * Creates the network and starts one instance per domain.
 * @param opts.extraArgs more `foyer start` flags per domain (e.g. a short queue age)
 * @param opts.hostile domains of hostile peers (each in its own namespace, see
 * {@link HostilePeer}), known to every instance
 */
export async function createFedNet(
  domains: string[],
  opts: { extraArgs?: Record<string, string[]>; hostile?: string[] } = {},
): Promise<FedNet> {
  const extraArgs = opts.extraArgs ?? {};
  const hostileDomains = opts.hostile ?? [];
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
    const nodes = [...domains, ...hostileDomains].map((domain, i) => {
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
      hostileDomains.includes(n.domain)
        ? `http://${n.address}:${HOSTILE_PORT}`
        : `https://${n.address}:${PORT}`;
    const hostiles: HostilePeer[] = [];
    for (const node of nodes.filter((n) => hostileDomains.includes(n.domain))) {
      hostiles.push(await startHostile(node, ca.caFile, cleanups));
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
        clientAsPerson: (store, ...a) => spawnClient(node.ns, ca.caFile, store, a),
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
      hostiles,
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

async function startHostile(
  node: { domain: string; ns: string; address: string },
  caFile: string,
  cleanups: Array<() => Promise<void> | void>,
): Promise<HostilePeer> {
  const p = spawn(
    'ip',
    [
      'netns',
      'exec',
      node.ns,
      process.execPath,
      HOSTILE,
      node.domain,
      node.address,
      String(HOSTILE_PORT),
    ],
    { env: childEnv({ NODE_EXTRA_CA_CERTS: caFile }), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  cleanups.push(() => signal(p, 'SIGTERM'));
  // Its answers, one JSON line each: to a command (by id), or a flood's round.
  const waiting = new Map<number, (o: any) => void>();
  const roundWaiters: Array<{ n: number; done: () => void }> = [];
  let rounds = 0;
  let ready: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const exited = new Promise<never>((_, reject) =>
    p.once('exit', (code) => reject(new Error(`hostile peer exited (${code}): ${err}`))),
  );
  exited.catch(() => undefined);
  p.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line === 'ready') {
        ready();
        continue;
      }
      const o = JSON.parse(line) as { id?: number; round?: number };
      if (o.round !== undefined) {
        rounds = o.round;
        for (const w of roundWaiters.filter((x) => x.n <= rounds)) w.done();
      } else if (o.id !== undefined) {
        waiting.get(o.id)?.(o);
        waiting.delete(o.id);
      }
    }
  });
  await Promise.race([isReady, exited]);
  let next = 0;
  const command = (c: Record<string, unknown>): Promise<any> => {
    const id = ++next;
    const answered = new Promise<any>((r) => waiting.set(id, r));
    p.stdin!.write(`${JSON.stringify({ ...c, id })}\n`);
    return Promise.race([answered, exited]).then((o: { failed?: string }) => {
      if (o.failed !== undefined) throw new Error(`hostile peer: ${o.failed}`);
      return o;
    });
  };
  const targetOf = (t: FedInstance) => ({ domain: t.domain, url: t.innerUrl });
  return {
    domain: node.domain,
    async attack(target, attack, extra = {}) {
      return (await command({ op: 'attack', attack, target: targetOf(target), ...extra })).answer;
    },
    async flood(target, attacks, extra = {}) {
      rounds = 0;
      await command({ op: 'flood', attacks, target: targetOf(target), ...extra });
      return {
        rounds: (n) =>
          Promise.race([
            new Promise<void>((done) => (rounds >= n ? done() : roundWaiters.push({ n, done }))),
            exited,
          ]),
        stop: async () => (await command({ op: 'stop' })).counts,
      };
    },
  };
}

async function runClient(ns: string, caFile: string, store: string, args: string[]): Promise<any> {
  const { code, stdout, stderr } = await spawnClient(ns, caFile, store, [...args, '--json']);
  if (code !== 0)
    throw new Error(`foyer client ${args.join(' ')} failed (${code}): ${stdout}${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

async function spawnClient(
  ns: string,
  caFile: string,
  store: string,
  args: string[],
): Promise<ClientRun> {
  const p = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, CLI, 'client', ...args, '--store', store],
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
  return { code, stdout, stderr };
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
