/**
 * `foyer doctor`'s router port mapping check. With UPnP IGD it asks the router itself whether
 * it still forwards each public port to this server; NAT-PMP has no way to list mappings, so
 * there it reports what the server last heard from the router, and says so.
 */
import type { Config } from '../../../server/config.ts';
import type { RunState } from '../../../server/home/runState.ts';
import { mappingPlan, type PortForward } from '../../../server/home/portMapping/plan.ts';
import type { IgdEntry } from '../../../server/home/portMapping/upnpIgd.ts';
import type { Check } from './checks.ts';

/** Asks the UPnP router at `location` for its forward of `external`/TCP. */
export type AskRouter = (location: string, external: number) => Promise<IgdEntry | undefined>;

const NAME = 'port mapping';

async function askRouter(location: string, external: number): Promise<IgdEntry | undefined> {
  // Loaded only here: the UPnP library is not needed by any other check.
  const { igdAt } = await import('../../../server/home/portMapping/upnpIgd.ts');
  const igd = await igdAt(location);
  try {
    return await igd.get(external);
  } finally {
    await igd.close();
  }
}

/** "forward port 443 to port 8080 of this machine", for the advice. */
function byHand(config: Config, state: RunState): string {
  const listen = state.running && state.url !== undefined ? Number(new URL(state.url).port) : 0;
  const plan = mappingPlan(config, listen === 0 ? config.port : listen);
  if ('skip' in plan) return plan.skip;
  const list = plan.forwards.map((f) => `port ${f.external} to port ${f.internal}`).join(' and ');
  return `enable UPnP or NAT-PMP on the router's settings page, or forward ${list} of this machine by hand (docs/install.md)`;
}

const show = (f: PortForward, address: string | undefined): string =>
  `${f.external} → ${address ?? 'this machine'}:${f.internal}`;

export async function checkPortMapping(
  config: Config,
  state: RunState,
  ask: AskRouter = askRouter,
  now = Date.now(),
): Promise<Check> {
  // The running server's own report wins: it may have been started with other flags.
  if (config.portMapping === 'off' && !(state.running && state.portMapping !== undefined))
    return {
      name: NAME,
      status: 'ok',
      detail:
        'off: if people reach Foyer from outside the home, the router forwards its port by hand',
    };
  if (!state.running)
    return {
      name: NAME,
      status: 'warn',
      detail: 'on, but no server runs: the router forwards the port only while Foyer runs',
      advice: 'start the server',
    };
  const status = state.portMapping;
  if (status === undefined || status.state === 'trying')
    return {
      name: NAME,
      status: 'warn',
      detail: 'the running server has not reached the router yet',
      advice: 'run "foyer doctor" again in a few seconds',
    };
  if (status.state === 'failed')
    return {
      name: NAME,
      status: 'fail',
      detail: `the server could not map its port: ${status.problem ?? 'no reason given'}`,
      advice: byHand(config, state),
    };
  if (status.protocol === 'upnp' && status.location !== undefined) {
    const found: string[] = [];
    for (const f of status.forwards) {
      let entry: IgdEntry | undefined;
      try {
        entry = await ask(status.location, f.external);
      } catch (err) {
        return {
          name: NAME,
          status: 'warn',
          detail: `could not ask the router (UPnP IGD): ${(err as Error).message}`,
          advice: 'check that this machine is on the home network; the server keeps renewing it',
        };
      }
      if (entry === undefined)
        return {
          name: NAME,
          status: 'fail',
          detail: `the router holds no forward for port ${f.external} any more`,
          advice: `restart the server; if it comes back, ${byHand(config, state)}`,
        };
      if (entry.internalClient !== status.internalAddress || entry.internalPort !== f.internal)
        return {
          name: NAME,
          status: 'fail',
          detail: `the router forwards port ${f.external} to ${entry.internalClient}:${entry.internalPort}, not to this server`,
          advice:
            'another machine or program holds that port on the router: remove its forward (router settings), then restart the server',
        };
      found.push(`${show(f, status.internalAddress)} (${entry.leaseSeconds} s left)`);
    }
    return {
      name: NAME,
      status: 'ok',
      detail: `present on the router (UPnP IGD): ${found.join(', ')}`,
    };
  }
  // NAT-PMP: only the server's own record, believed while its last lease runs.
  const ports = status.forwards.map((f) => show(f, status.internalAddress)).join(', ');
  const age =
    status.renewedAt === undefined ? Infinity : Math.round((now - status.renewedAt) / 1000);
  if (age > (status.leaseSeconds ?? 0))
    return {
      name: NAME,
      status: 'fail',
      detail: `NAT-PMP: the last renewal of ${ports} is older than its lease`,
      advice: `look at the server's log; ${byHand(config, state)}`,
    };
  return {
    name: NAME,
    status: 'ok',
    detail: `${ports} through NAT-PMP, renewed ${age} s ago (NAT-PMP cannot list mappings: this is the router's last answer to the server)`,
  };
}
