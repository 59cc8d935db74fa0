import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../server/config.ts';
import type { RunState } from '../../../server/home/runState.ts';
import type { PortMappingStatus } from '../../../server/home/portMapping/status.ts';
import { checkPortMapping, type AskRouter } from './portMappingCheck.ts';

const config = (mode: string) =>
  loadConfig({
    argv: [
      '--host',
      '0.0.0.0',
      '--port',
      '8443',
      '--public-url',
      'https://maison.example',
      '--port-mapping',
      mode,
    ],
    env: {},
    cwd: '/tmp',
  });
const forward = { external: 443, internal: 8443, purpose: 'https' } as const;
const running = (portMapping?: PortMappingStatus): RunState => ({
  running: true,
  url: 'http://0.0.0.0:8443',
  portMapping,
});
const never: AskRouter = () => Promise.reject(new Error('the router must not be asked'));

test('off, or on without a server, never asks the router', async () => {
  assert.equal((await checkPortMapping(config('off'), running(), never)).status, 'ok');
  const idle = await checkPortMapping(config('auto'), { running: false }, never);
  assert.equal(idle.status, 'warn');
  assert.match(idle.advice ?? '', /start the server/);
});

test('a failed mapping fails and says which port to forward by hand', async () => {
  const c = await checkPortMapping(
    config('auto'),
    running({ state: 'failed', forwards: [], problem: 'no UPnP IGD router answered' }),
    never,
  );
  assert.equal(c.status, 'fail');
  assert.match(c.detail, /no UPnP IGD router answered/);
  assert.match(c.advice ?? '', /forward port 443 to port 8443 of this machine by hand/);
});

test('UPnP: the router is asked, and a missing or foreign forward fails', async () => {
  const status: PortMappingStatus = {
    state: 'mapped',
    protocol: 'upnp',
    forwards: [forward],
    internalAddress: '10.0.0.2',
    location: 'http://10.0.0.1:5000/rootDesc.xml',
    leaseSeconds: 3600,
    renewedAt: Date.now(),
  };
  const asked: Array<[string, number]> = [];
  const entry = (client: string) => async (location: string, external: number) => {
    asked.push([location, external]);
    return { internalClient: client, internalPort: 8443, leaseSeconds: 3000, description: 'Foyer' };
  };
  const ok = await checkPortMapping(config('upnp'), running(status), entry('10.0.0.2'));
  assert.equal(ok.status, 'ok', ok.detail);
  assert.match(ok.detail, /443 → 10\.0\.0\.2:8443 \(3000 s left\)/);
  assert.deepEqual(asked[0], ['http://10.0.0.1:5000/rootDesc.xml', 443]);
  const other = await checkPortMapping(config('upnp'), running(status), entry('10.0.0.9'));
  assert.equal(other.status, 'fail');
  assert.match(other.detail, /not to this server/);
  const gone = await checkPortMapping(config('upnp'), running(status), async () => undefined);
  assert.equal(gone.status, 'fail');
  assert.match(gone.detail, /no forward for port 443/);
});

test('NAT-PMP: the server record is believed only while its lease runs', async () => {
  const now = Date.now();
  const status: PortMappingStatus = {
    state: 'mapped',
    protocol: 'natpmp',
    forwards: [forward],
    internalAddress: '10.0.0.2',
    leaseSeconds: 60,
    renewedAt: now - 30_000,
  };
  const fresh = await checkPortMapping(config('natpmp'), running(status), never, now);
  assert.equal(fresh.status, 'ok');
  assert.match(fresh.detail, /renewed 30 s ago/);
  const stale = await checkPortMapping(config('natpmp'), running(status), never, now + 60_000);
  assert.equal(stale.status, 'fail');
});
