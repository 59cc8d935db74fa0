/**
 * The two ways of asking a home router for a forward, behind one shape: UPnP IGD (found by
 * SSDP on the home network) and NAT-PMP (at the default gateway).
 */
import { defaultGateway } from './defaultGateway.ts';
import { natPmpClient } from './natPmp.ts';
import type { PortForward } from './plan.ts';
import { discoverIgd } from './upnpIgd.ts';

export type MappingProtocol = 'upnp' | 'natpmp';

export interface Backend {
  protocol: MappingProtocol;
  /** For people: "UPnP IGD" or "NAT-PMP". */
  label: string;
  /** This machine's address on the router's side, which the forwards point to. */
  localAddress: string;
  /** UPnP only: the router's description URL, for `foyer doctor`. */
  location?: string | undefined;
  /** Creates or renews a forward. @returns the lease the router granted, seconds. */
  map(forward: PortForward, leaseSeconds: number): Promise<number>;
  unmap(forward: PortForward): Promise<void>;
  close(): Promise<void>;
}

/** Shown in logs and `foyer doctor`. */
export const DESCRIPTION = 'Foyer';

async function upnpBackend(): Promise<Backend | string> {
  const igd = await discoverIgd();
  if (igd === undefined) return 'no UPnP IGD router answered on the home network';
  return {
    protocol: 'upnp',
    label: 'UPnP IGD',
    localAddress: igd.localAddress,
    location: igd.location,
    async map(f, lease) {
      await igd.add(f.external, f.internal, igd.localAddress, lease, DESCRIPTION);
      return lease;
    },
    unmap: (f) => igd.remove(f.external),
    close: () => igd.close(),
  };
}

async function natPmpBackend(): Promise<Backend | string> {
  const gateway = defaultGateway();
  if (gateway === undefined) return 'no default gateway to ask over NAT-PMP';
  const client = await natPmpClient(gateway);
  try {
    // Whether anything answers at all, before asking for a forward.
    await client.externalAddress();
  } catch (err) {
    client.close();
    return (err as Error).message;
  }
  return {
    protocol: 'natpmp',
    label: 'NAT-PMP',
    localAddress: client.localAddress,
    async map(f, lease) {
      const got = await client.map(f.internal, f.external, lease);
      if (got.externalPort !== f.external) {
        // Another port is useless: people are sent to the public URL's port.
        await client.map(f.internal, 0, 0).catch(() => undefined);
        throw new Error(`the router offered port ${got.externalPort} instead of ${f.external}`);
      }
      return got.lifetime;
    },
    async unmap(f) {
      await client.map(f.internal, 0, 0);
    },
    async close() {
      client.close();
    },
  };
}

/**
 * The first protocol that finds a router, in the order `auto` tries them (UPnP IGD, the most
 * common on home boxes, then NAT-PMP). @returns the backend, or why none was found.
 */
export async function findBackend(
  mode: 'auto' | MappingProtocol,
): Promise<{ backend: Backend } | { reasons: string[] }> {
  const order: MappingProtocol[] = mode === 'auto' ? ['upnp', 'natpmp'] : [mode];
  const reasons: string[] = [];
  for (const protocol of order) {
    try {
      const found = protocol === 'upnp' ? await upnpBackend() : await natPmpBackend();
      if (typeof found !== 'string') return { backend: found };
      reasons.push(found);
    } catch (err) {
      reasons.push((err as Error).message);
    }
  }
  return { reasons };
}
