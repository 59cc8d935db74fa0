/**
 * What the running server knows of its router mapping. It writes this to the run file
 * (runState.ts) on every change; `foyer doctor` reads it back, trusting nothing it cannot check.
 */
import type { MappingProtocol } from './backends.ts';
import type { PortForward } from './plan.ts';

export interface PortMappingStatus {
  state: 'trying' | 'mapped' | 'failed';
  protocol?: MappingProtocol | undefined;
  /** The forwards the router holds (state `mapped`). */
  forwards: PortForward[];
  /** This machine's address the forwards point to. */
  internalAddress?: string | undefined;
  /** UPnP: the router's description URL. */
  location?: string | undefined;
  /** Seconds granted at the last (re)mapping, and when that was (ms since the epoch). */
  leaseSeconds?: number | undefined;
  renewedAt?: number | undefined;
  /** Why it failed, or which forwards did (state `failed`, or `mapped` with some missing). */
  problem?: string | undefined;
}

const port = (v: unknown): v is number =>
  Number.isSafeInteger(v) && (v as number) > 0 && (v as number) < 65536;
const text = (v: unknown, max: number): string | undefined =>
  typeof v === 'string' && v.length <= max ? v : undefined;

/** A status read back from the run file, or undefined when it does not have the right shape. */
export function parsePortMappingStatus(v: unknown): PortMappingStatus | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  if (p.state !== 'trying' && p.state !== 'mapped' && p.state !== 'failed') return undefined;
  if (!Array.isArray(p.forwards) || p.forwards.length > 4) return undefined;
  const forwards: PortForward[] = [];
  for (const f of p.forwards as unknown[]) {
    const o = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    if (!port(o.external) || !port(o.internal)) return undefined;
    const purpose = o.purpose === 'https' || o.purpose === 'acme-http' ? o.purpose : 'http';
    forwards.push({ external: o.external, internal: o.internal, purpose });
  }
  return {
    state: p.state,
    protocol: p.protocol === 'upnp' || p.protocol === 'natpmp' ? p.protocol : undefined,
    forwards,
    internalAddress: text(p.internalAddress, 64),
    location: text(p.location, 512),
    leaseSeconds: Number.isSafeInteger(p.leaseSeconds) ? (p.leaseSeconds as number) : undefined,
    renewedAt: Number.isSafeInteger(p.renewedAt) ? (p.renewedAt as number) : undefined,
    problem: text(p.problem, 1000),
  };
}
