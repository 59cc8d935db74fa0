/**
 * Debian's miniupnpd (miniupnpd-nftables) as the home router of a {@link RoutedHome}: UPnP IGD
 * and NAT-PMP on the home side, port forwards as nftables DNAT rules on the wan side. Everything
 * lives in the router's namespace: its nftables table, its sockets, its files in `dir`.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { RoutedHome } from './netns.ts';

/** false, or which Debian package is missing. */
export const miniupnpdMissing: false | string = [
  '/usr/sbin/miniupnpd',
  '/usr/sbin/nft',
  '/usr/bin/upnpc',
].every(existsSync)
  ? false
  : 'needs Debian miniupnpd-nftables, nftables and miniupnpc';

/**
 * miniupnpd refuses a private or reserved WAN address, and the router's WAN side here is a
 * namespace address (10.N.88.1). `ext_ip` makes it report this one instead: a label only, that
 * the router hands out as its "external address". Nothing in the tests sends anything to it.
 */
export const EXTERNAL_ADDRESS_LABEL = '93.184.216.34';

export interface MiniUpnpd {
  /** The DNAT rules miniupnpd holds, one line each (`… tcp dport 443 dnat ip to A:P`). */
  forwards(): string[];
  /** `upnpc -l` from the home namespace (what a UPnP client sees). */
  upnpList(): string;
  log(): string;
  stop(): Promise<void>;
}

export async function startMiniUpnpd(net: RoutedHome, dir: string): Promise<MiniUpnpd> {
  // The chains miniupnpd fills (names from its defaults); Debian's nft_init.sh is not used
  // because it writes to /tmp and assumes a whole-machine firewall.
  const rules = `table inet filter {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
  chain postrouting_miniupnpd { }
}
`;
  writeFileSync(join(dir, 'router.nft'), rules);
  net.run(net.router, 'nft', ['-f', join(dir, 'router.nft')]);
  const lan = net.homeAddress.replace(/\.\d+$/, '.0/24');
  writeFileSync(
    join(dir, 'miniupnpd.conf'),
    [
      `ext_ifname=${net.routerWanDevice}`,
      `ext_ip=${EXTERNAL_ADDRESS_LABEL}`,
      `listening_ip=${net.routerLanDevice}`,
      'http_port=5000',
      'enable_upnp=yes',
      'enable_natpmp=yes',
      'secure_mode=yes',
      'system_uptime=yes',
      `uuid=${randomUUID()}`,
      `allow 1-65535 ${lan} 1-65535`,
      'deny 0-65535 0.0.0.0/0 0-65535',
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = net.spawnIn(
    net.router,
    '/usr/sbin/miniupnpd',
    ['-f', join(dir, 'miniupnpd.conf'), '-d', '-P', join(dir, 'miniupnpd.pid')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (out.includes('Listening for NAT-PMP')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`miniupnpd exited (${code}): ${out}`)));
  });
  return {
    forwards: () =>
      net
        .run(net.router, 'nft', ['list', 'chain', 'inet', 'filter', 'prerouting_miniupnpd'])
        .split('\n')
        .filter((l) => l.includes('dnat'))
        .map((l) => l.trim()),
    upnpList: () =>
      spawnSync('ip', ['netns', 'exec', net.home, 'upnpc', '-l'], {
        encoding: 'utf8',
        timeout: 20_000,
      }).stdout,
    log: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
    },
  };
}
