/**
 * The IPv4 default gateway, where a NAT-PMP router listens (RFC 6886 §3: the client sends to
 * its default gateway). Read from Linux's /proc/net/route: no command is run, and other systems
 * simply have no NAT-PMP fallback (UPnP IGD discovery works everywhere).
 */
import { readFileSync } from 'node:fs';

/**
 * The gateway of the first default route in a /proc/net/route table, as dotted IPv4.
 * Columns: Iface Destination Gateway Flags …, addresses in little-endian hex.
 */
export function parseDefaultGateway(table: string): string | undefined {
  for (const line of table.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/);
    if (destination !== '00000000' || gateway === undefined || flags === undefined) continue;
    // RTF_UP (1) and RTF_GATEWAY (2).
    if ((Number.parseInt(flags, 16) & 3) !== 3 || !/^[0-9A-Fa-f]{8}$/.test(gateway)) continue;
    const n = Number.parseInt(gateway, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  }
  return undefined;
}

/** This machine's IPv4 default gateway, or undefined (no default route, or not Linux). */
export function defaultGateway(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return parseDefaultGateway(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    return undefined;
  }
}
