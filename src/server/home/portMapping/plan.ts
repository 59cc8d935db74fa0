/**
 * Which router ports Foyer asks to have forwarded, from the configuration alone: the public
 * URL's port to the listening port and, with ACME certificates, port 80 to the challenge port.
 * Pure, so that the server, `foyer doctor` and the tests agree on it.
 */
import { isIP } from 'node:net';
import type { Config } from '../../config.ts';

/** One TCP port the router forwards: `external` on its WAN side to `internal` here. */
export interface PortForward {
  external: number;
  internal: number;
  /** What it is for, in the log and in `foyer doctor`. */
  purpose: 'https' | 'http' | 'acme-http';
}

/** The forwards to ask for, or why none can be. */
export type MappingPlan = { forwards: PortForward[] } | { skip: string };

/** Loopback or a wildcard that the router cannot forward to. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}

/**
 * The forwards for `config` when the server listens on `listenPort` (the real one, for port 0).
 * @returns the forwards, or the reason mapping makes no sense with this configuration.
 */
export function mappingPlan(
  config: Pick<Config, 'host' | 'publicUrl' | 'tls' | 'httpPort'>,
  listenPort: number,
): MappingPlan {
  const url = new URL(config.publicUrl);
  const https = url.protocol === 'https:';
  const external = url.port === '' ? (https ? 443 : 80) : Number(url.port);
  const purpose = https ? 'https' : 'http';
  // Behind a reverse proxy on this machine (Caddy, nginx), the proxy listens on the public
  // ports itself, whatever address Foyer listens on: forward them to the same ports here, and
  // port 80 too, where the proxy answers its own ACME challenges and redirects to HTTPS.
  if (config.tls === 'proxy') {
    const forwards: PortForward[] = [{ external, internal: external, purpose }];
    if (https && external !== 80) forwards.push({ external: 80, internal: 80, purpose: 'http' });
    return { forwards };
  }
  if (isLoopback(config.host))
    return {
      skip: `the server listens on ${config.host}, which the router cannot reach (listen on 0.0.0.0)`,
    };
  if (isIP(config.host) === 6 || config.host === '::')
    return { skip: 'the server listens on IPv6 only; port mapping is for IPv4 routers (NAT)' };
  const forwards: PortForward[] = [{ external, internal: listenPort, purpose }];
  // Let's Encrypt checks HTTP-01 challenges on port 80 and on no other.
  if (config.tls === 'acme' && config.httpPort !== 0 && external !== 80)
    forwards.push({ external: 80, internal: config.httpPort, purpose: 'acme-http' });
  return { forwards };
}
