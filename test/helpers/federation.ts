/**
 * Helpers for federation tests on loopback: free ports (so two instances can name each other
 * in their configuration before either starts), a trust store over several instance keys, and
 * a stand-in peer instance that the test controls (its discovery document and its signatures),
 * to play a hostile instance against a real server.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { TrustStore } from '../../src/shared/mls/trust.ts';
import { toBase64Url } from '../../src/shared/protocol/bytes.ts';
import { PROTOCOL_VERSION, type InstanceInfo } from '../../src/shared/protocol/api.ts';
import type { KeyRotationJson } from '../../src/shared/protocol/keyRotation.ts';
import { InstanceKeyRing } from '../../src/shared/engine/identity/instanceKeys.ts';
import { parseInstanceInfo } from '../../src/shared/engine/transport/parseReplies.ts';
import type { ApiDevice } from './apiDevice.ts';

/** A loopback port free at the time of the call. */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

/** Trusts the given instance keys by domain; accepts every identity. */
export function trustInstances(keys: Map<string, Uint8Array>): TrustStore {
  return {
    instanceKeys: async (domain) => (keys.has(domain) ? [keys.get(domain)!] : []),
    acceptIdentity: async () => true,
  };
}

/**
 * A device's trust in instance keys as a client keeps it (engine/identity/instanceKeys.ts):
 * its own instance's key pinned at registration, others asked of its own server on first
 * use, rotations followed when a credential verifies under none of the known keys. Accepts
 * every identity.
 */
export function clientTrust(
  device: ApiDevice,
  ownDomain: string,
): TrustStore & {
  ring: InstanceKeyRing;
} {
  const ring = new InstanceKeyRing({
    ownDomain,
    ownKey: device.instanceKey,
    chains: {},
    fetch: async (domain) => {
      const r = await device.call<InstanceInfo>('GET', `/api/v1/instances/${domain}`);
      if (r.status !== 200) throw new Error(`instance ${domain}: ${JSON.stringify(r.body)}`);
      return parseInstanceInfo(r.body);
    },
  });
  return {
    ring,
    instanceKeys: (domain) => ring.keys(domain),
    refreshInstanceKeys: (domain) => ring.refresh(domain),
    acceptIdentity: async () => true,
  };
}

/** A peer instance played by the test: serves a discovery document it can change. */
export class StandInPeer {
  readonly domain: string;
  key: { privateKey: KeyObject; publicKey: Uint8Array };
  /** The rotation statements its discovery document publishes. */
  rotations: KeyRotationJson[] = [];
  private readonly server: Server;
  url = '';

  constructor(domain: string, key: { privateKey: KeyObject; publicKey: Uint8Array }) {
    this.domain = domain;
    this.key = key;
    this.server = createServer((req, res) => {
      if (req.url !== '/.well-known/foyer') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          domain: this.domain,
          protocol: PROTOCOL_VERSION,
          instanceKey: toBase64Url(this.key.publicKey),
          software: 'stand-in',
          endpoints: { inbox: '/federation/v1/inbox' },
          rotations: this.rotations,
        }),
      );
    });
  }

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.close();
    await once(this.server, 'close');
  }
}
