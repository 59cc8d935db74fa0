/**
 * Keeps the router's forwards to this server while it runs: maps them at start, renews them
 * at half their lease, finds the router again when a renewal fails, and removes them at
 * shutdown. Every outcome is said in plain words (ports and protocol only: no address, no
 * identifier) and recorded in a status that `foyer doctor` reads from the run file.
 */
import { findBackend, type Backend, type MappingProtocol } from './backends.ts';
import type { PortForward } from './plan.ts';
import type { PortMappingStatus } from './status.ts';

export interface PortMapper {
  /** Removes the forwards (waits for a mapping under way first). */
  stop(): Promise<void>;
}

export interface PortMapperOptions {
  mode: 'auto' | MappingProtocol;
  forwards: PortForward[];
  leaseSeconds: number;
  say(text: string): void;
  warn(text: string): void;
  onStatus(status: PortMappingStatus): void;
}

const ports = (forwards: PortForward[]): string =>
  forwards.map((f) => `${f.external} → ${f.internal}`).join(', ');

/** Starts mapping in the background; the server does not wait for the router. */
export function startPortMapper(opts: PortMapperOptions): PortMapper {
  let backend: Backend | undefined;
  let mapped: PortForward[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;
  let busy: Promise<void> = Promise.resolve();
  // A failed attempt is retried: the router may still be booting after a power cut.
  const retrySeconds = Math.max(5, Math.min(300, Math.floor(opts.leaseSeconds / 2)));

  const schedule = (seconds: number, what: () => Promise<void>) => {
    if (stopped) return;
    timer = setTimeout(() => {
      busy = what().catch((err: unknown) => fail((err as Error).message));
    }, seconds * 1000);
    // The mapping never keeps a stopping process alive.
    timer.unref();
  };

  const fail = (problem: string) => {
    opts.onStatus({ state: 'failed', forwards: [], problem });
    if (!failing)
      opts.warn(
        `Router port mapping failed: ${problem}. Forward ${ports(opts.forwards)} on the router by hand, ` +
          `or enable UPnP or NAT-PMP there; retrying every ${retrySeconds} s`,
      );
    failing = true;
    schedule(retrySeconds, establish);
  };

  async function establish(): Promise<void> {
    const found = await findBackend(opts.mode);
    if (stopped) {
      if ('backend' in found) await found.backend.close();
      return;
    }
    if (!('backend' in found)) return fail(found.reasons.join('; '));
    backend = found.backend;
    const problems: string[] = [];
    let lease = opts.leaseSeconds;
    mapped = [];
    for (const f of opts.forwards) {
      try {
        lease = Math.min(lease, await backend.map(f, opts.leaseSeconds));
        mapped.push(f);
      } catch (err) {
        problems.push(`port ${f.external}: ${(err as Error).message}`);
      }
    }
    if (mapped.length === 0) {
      await backend.close();
      backend = undefined;
      return fail(`${found.backend.label}: ${problems.join('; ')}`);
    }
    opts.onStatus({
      state: 'mapped',
      protocol: backend.protocol,
      forwards: mapped,
      internalAddress: backend.localAddress,
      location: backend.location,
      leaseSeconds: lease,
      renewedAt: Date.now(),
      problem: problems.length === 0 ? undefined : problems.join('; '),
    });
    opts.say(
      `Router port mapping${failing ? ' restored' : ''}: ${ports(mapped)} through ${backend.label} ` +
        `(lease ${lease} s, renewed every ${Math.max(1, Math.floor(lease / 2))} s)`,
    );
    if (problems.length > 0) opts.warn(`Router port mapping incomplete: ${problems.join('; ')}`);
    failing = false;
    schedule(Math.max(1, Math.floor(lease / 2)), renew);
  }

  async function renew(): Promise<void> {
    const b = backend;
    if (b === undefined) return establish();
    let lease = opts.leaseSeconds;
    try {
      for (const f of mapped) lease = Math.min(lease, await b.map(f, opts.leaseSeconds));
    } catch (err) {
      // The router may have restarted or changed address: find it again from scratch.
      opts.warn(`Router port mapping renewal failed (${(err as Error).message}); looking again`);
      backend = undefined;
      await b.close().catch(() => undefined);
      return establish();
    }
    opts.onStatus({
      state: 'mapped',
      protocol: b.protocol,
      forwards: mapped,
      internalAddress: b.localAddress,
      location: b.location,
      leaseSeconds: lease,
      renewedAt: Date.now(),
    });
    opts.say(`Router port mapping renewed: ${ports(mapped)} (lease ${lease} s)`);
    schedule(Math.max(1, Math.floor(lease / 2)), renew);
  }

  opts.onStatus({ state: 'trying', forwards: [] });
  busy = establish().catch((err: unknown) => fail((err as Error).message));

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await busy.catch(() => undefined);
      const b = backend;
      if (b === undefined) return;
      const left: string[] = [];
      for (const f of mapped) {
        try {
          await b.unmap(f);
        } catch (err) {
          left.push(`port ${f.external} (${(err as Error).message})`);
        }
      }
      await b.close().catch(() => undefined);
      if (left.length === 0) opts.say(`Router port mapping removed: ${ports(mapped)}`);
      else
        opts.warn(
          `Router port mapping not removed for ${left.join(', ')}: the router drops it when its lease ends`,
        );
    },
  };
}
