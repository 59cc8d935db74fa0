/**
 * UPnP IGD (Internet Gateway Device, version 2) port mappings. Discovery (SSDP) and the SOAP
 * transport come from @achingbrain/nat-port-mapper; the mapping actions are called here
 * because its own `map`/`unmap` (4.0.5) ask for at least an hour whatever the lease, delete by
 * the internal port instead of the external one, and renew on timers of their own.
 */
import { upnpNat, type Gateway } from '@achingbrain/nat-port-mapper';
import { localAddressToward } from './localAddress.ts';

const WAN_IP_CONNECTION = 'urn:schemas-upnp-org:service:WANIPConnection:2';

/** The library's SOAP device (a private member of its gateway class, read once, checked here). */
interface SoapDevice {
  run(
    service: string,
    action: string,
    args: Array<[string, string | number]>,
    options?: { signal?: AbortSignal },
  ): Promise<Record<string, unknown>>;
  service: { location: URL };
}

/** A SOAP fault from the router, with its UPnP error code (e.g. 714, no such entry). */
export class IgdError extends Error {
  readonly upnpCode: number | undefined;
  constructor(message: string, upnpCode: number | undefined) {
    super(message);
    this.name = 'IgdError';
    this.upnpCode = upnpCode;
  }
}

export interface IgdEntry {
  internalClient: string;
  internalPort: number;
  /** Seconds left, as the router reports it (0: no expiry). */
  leaseSeconds: number;
  description: string;
}

export interface Igd {
  /** The router's device description URL (kept so `foyer doctor` can ask the same router). */
  readonly location: string;
  /** This machine's address toward the router. */
  readonly localAddress: string;
  add(
    external: number,
    internal: number,
    client: string,
    leaseSeconds: number,
    description: string,
  ): Promise<void>;
  remove(external: number): Promise<void>;
  /** The mapping of `external`/TCP, or undefined when the router holds none. */
  get(external: number): Promise<IgdEntry | undefined>;
  externalAddress(): Promise<string>;
  close(): Promise<void>;
}

const TIMEOUT_MS = 5000;

function soapDevice(gateway: Gateway): SoapDevice {
  const device = (gateway as unknown as { gateway?: Partial<SoapDevice> }).gateway;
  if (typeof device?.run !== 'function' || !(device.service?.location instanceof URL))
    throw new Error('@achingbrain/nat-port-mapper changed its gateway object: update upnpIgd.ts');
  return device as SoapDevice;
}

function field(body: Record<string, unknown>, name: string): string {
  for (const value of Object.values(body)) {
    if (typeof value === 'object' && value !== null && name in value) {
      const v = (value as Record<string, unknown>)[name];
      return typeof v === 'string' ? v : '';
    }
  }
  return '';
}

async function wrap(gateway: Gateway): Promise<Igd> {
  const device = soapDevice(gateway);
  const location = device.service.location;
  const localAddress = await localAddressToward(
    location.hostname,
    Number(location.port === '' ? 80 : location.port),
  );
  const call = async (action: string, args: Array<[string, string | number]>) => {
    try {
      return await device.run(WAN_IP_CONNECTION, action, args, {
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const message = (err as Error).message;
      const code = /Code (\d+)/.exec(message)?.[1];
      throw new IgdError(`${action}: ${message}`, code === undefined ? undefined : Number(code));
    }
  };
  return {
    location: location.href,
    localAddress,
    async add(external, internal, client, leaseSeconds, description) {
      await call('AddPortMapping', [
        ['NewRemoteHost', ''],
        ['NewExternalPort', external],
        ['NewProtocol', 'TCP'],
        ['NewInternalPort', internal],
        ['NewInternalClient', client],
        ['NewEnabled', 1],
        ['NewPortMappingDescription', description],
        ['NewLeaseDuration', leaseSeconds],
      ]);
    },
    async remove(external) {
      await call('DeletePortMapping', [
        ['NewRemoteHost', ''],
        ['NewExternalPort', external],
        ['NewProtocol', 'TCP'],
      ]);
    },
    async get(external) {
      let body;
      try {
        body = await call('GetSpecificPortMappingEntry', [
          ['NewRemoteHost', ''],
          ['NewExternalPort', external],
          ['NewProtocol', 'TCP'],
        ]);
      } catch (err) {
        // 714 NoSuchEntryInArray: the router holds no such mapping.
        if (err instanceof IgdError && err.upnpCode === 714) return undefined;
        throw err;
      }
      return {
        internalClient: field(body, 'NewInternalClient'),
        internalPort: Number(field(body, 'NewInternalPort')),
        leaseSeconds: Number(field(body, 'NewLeaseDuration')),
        description: field(body, 'NewPortMappingDescription'),
      };
    },
    async externalAddress() {
      return field(await call('GetExternalIPAddress', []), 'NewExternalIPAddress');
    },
    async close() {
      // Nothing was mapped through the library itself: this only ends its pending requests.
      await gateway.stop();
    },
  };
}

/** The first IPv4 IGD v2 router answering SSDP within `timeoutMs`, or undefined. */
export async function discoverIgd(timeoutMs = 3000): Promise<Igd | undefined> {
  const client = upnpNat({ autoRefresh: false });
  for await (const gateway of client.findGateways({ signal: AbortSignal.timeout(timeoutMs) })) {
    if (gateway.family === 'IPv4') return wrap(gateway);
  }
  return undefined;
}

/** The router at a known description URL (as recorded by the running server). */
export async function igdAt(location: string): Promise<Igd> {
  const gateway = await upnpNat({ autoRefresh: false }).getGateway(new URL(location), {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  return wrap(gateway);
}
