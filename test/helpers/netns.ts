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
