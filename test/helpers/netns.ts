/**
 * Network namespaces for the home-network tests: a "home link" between two namespaces (a veth
 * pair on a private /24), nothing else — no route beyond it. Needs root and Linux; callers
 * skip with {@link netnsUnavailable}'s reason elsewhere. Only these namespaces' addresses are
 * ever used.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** false, or why namespaces cannot be used here. */
export const netnsUnavailable: false | string =
  process.platform !== 'linux'
    ? 'network namespaces exist on Linux only'
    : process.getuid?.() !== 0
      ? 'needs root (ip netns); runs in CI, which runs as root'
      : spawnSync('ip', ['netns', 'list']).status !== 0
        ? 'the ip command (iproute2) cannot list namespaces here'
        : false;

function ip(args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export interface HomeLink {
  server: string;
  phone: string;
  serverAddress: string;
  phoneAddress: string;
  /** Runs a command inside namespace `ns`. */
  spawnIn(ns: string, cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  routes(ns: string): string;
  remove(): void;
}

/** Two namespaces joined by one link, 10.N.N.1 and 10.N.N.2/24, lo up, no default route. */
export function createHomeLink(): HomeLink {
  const tag = randomBytes(3).toString('hex');
  const server = `fy-srv-${tag}`;
  const phone = `fy-ph-${tag}`;
  const octet = 100 + (randomBytes(1)[0]! % 100);
  const serverAddress = `10.${octet}.77.1`;
  const phoneAddress = `10.${octet}.77.2`;
  ip(['netns', 'add', server]);
  ip(['netns', 'add', phone]);
  const a = `fys${tag}`;
  const b = `fyp${tag}`;
  ip(['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
  ip(['link', 'set', a, 'netns', server]);
  ip(['link', 'set', b, 'netns', phone]);
  ip(['-n', server, 'addr', 'add', `${serverAddress}/24`, 'dev', a]);
  ip(['-n', phone, 'addr', 'add', `${phoneAddress}/24`, 'dev', b]);
  for (const [ns, dev] of [
    [server, a],
    [phone, b],
  ] as const) {
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'link', 'set', dev, 'up']);
  }
  return {
    server,
    phone,
    serverAddress,
    phoneAddress,
    spawnIn: (ns, cmd, args, opts = {}) => spawn('ip', ['netns', 'exec', ns, cmd, ...args], opts),
    routes: (ns) => ip(['-n', ns, 'route', 'show']),
    remove() {
      spawnSync('ip', ['netns', 'del', server]);
      spawnSync('ip', ['netns', 'del', phone]);
    },
  };
}

/** The veth name of a namespace's end of the home link. */
export function linkDevice(ns: string): string {
  const r = spawnSync('ip', ['-n', ns, '-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' });
  const m = /^\d+: ([^@:]+)/.exec(r.stdout);
  if (m === null) throw new Error(`no veth in ${ns}: ${r.stdout}${r.stderr}`);
  return m[1]!;
}

export interface RoutedHome {
  /** The home network, where the Foyer server runs. */
  home: string;
  /** The home router between the home network and the "internet" side. */
  router: string;
  /** A host on the internet side, reaching the household only through the router. */
  wan: string;
  homeAddress: string;
  routerLanAddress: string;
  routerWanAddress: string;
  wanAddress: string;
  /** The router's interfaces on each side. */
  routerLanDevice: string;
  routerWanDevice: string;
  spawnIn(ns: string, cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Runs a command in a namespace to completion; throws on failure. */
  run(ns: string, cmd: string, args: string[]): string;
  remove(): void;
}

/**
 * Three namespaces, home ⇄ router ⇄ wan: the home has its default route through the router,
 * which forwards (ip_forward in its own namespace only); the wan host knows only its link to the
 * router. Addresses 10.N.77.0/24 (home side) and 10.N.88.0/24 (wan side), nothing else.
 */
export function createRoutedHome(): RoutedHome {
  const tag = randomBytes(3).toString('hex');
  const home = `fy-home-${tag}`;
  const router = `fy-rtr-${tag}`;
  const wan = `fy-wan-${tag}`;
  const octet = 100 + (randomBytes(1)[0]! % 100);
  const a = {
    home: `10.${octet}.77.2`,
    routerLan: `10.${octet}.77.1`,
    routerWan: `10.${octet}.88.1`,
    wan: `10.${octet}.88.2`,
  };
  const dev = { home: `fyh${tag}`, rl: `fyl${tag}`, rw: `fyr${tag}`, wan: `fyw${tag}` };
  const remove = () => {
    for (const ns of [home, router, wan]) spawnSync('ip', ['netns', 'del', ns]);
  };
  try {
    for (const ns of [home, router, wan]) ip(['netns', 'add', ns]);
    ip(['link', 'add', dev.home, 'type', 'veth', 'peer', 'name', dev.rl]);
    ip(['link', 'add', dev.rw, 'type', 'veth', 'peer', 'name', dev.wan]);
    ip(['link', 'set', dev.home, 'netns', home]);
    ip(['link', 'set', dev.rl, 'netns', router]);
    ip(['link', 'set', dev.rw, 'netns', router]);
    ip(['link', 'set', dev.wan, 'netns', wan]);
    ip(['-n', home, 'addr', 'add', `${a.home}/24`, 'dev', dev.home]);
    ip(['-n', router, 'addr', 'add', `${a.routerLan}/24`, 'dev', dev.rl]);
    ip(['-n', router, 'addr', 'add', `${a.routerWan}/24`, 'dev', dev.rw]);
    ip(['-n', wan, 'addr', 'add', `${a.wan}/24`, 'dev', dev.wan]);
    for (const [ns, devs] of [
      [home, [dev.home]],
      [router, [dev.rl, dev.rw]],
      [wan, [dev.wan]],
    ] as const) {
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      for (const d of devs) ip(['-n', ns, 'link', 'set', d, 'up']);
    }
    ip(['-n', home, 'route', 'add', 'default', 'via', a.routerLan]);
    const fwd = spawnSync(
      'ip',
      ['netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'],
      {
        encoding: 'utf8',
      },
    );
    if (fwd.status !== 0) throw new Error(`cannot enable forwarding: ${fwd.stderr}`);
  } catch (err) {
    remove();
    throw err;
  }
  return {
    home,
    router,
    wan,
    homeAddress: a.home,
    routerLanAddress: a.routerLan,
    routerWanAddress: a.routerWan,
    wanAddress: a.wan,
    routerLanDevice: dev.rl,
    routerWanDevice: dev.rw,
    spawnIn: (ns, cmd, args, opts = {}) => spawn('ip', ['netns', 'exec', ns, cmd, ...args], opts),
    run(ns, cmd, args) {
      const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')} in ${ns} failed: ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    remove,
  };
}
