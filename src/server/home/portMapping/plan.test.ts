import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mappingPlan } from './plan.ts';
import { parseDefaultGateway } from './defaultGateway.ts';

const base: Parameters<typeof mappingPlan>[0] = {
  host: '0.0.0.0',
  publicUrl: 'https://maison.example',
  tls: 'files',
  httpPort: 80,
};

test('the public URL port goes to the listening port; ACME adds port 80 to the challenge port', () => {
  assert.deepEqual(mappingPlan(base, 8443), {
    forwards: [{ external: 443, internal: 8443, purpose: 'https' }],
  });
  assert.deepEqual(mappingPlan({ ...base, tls: 'acme', httpPort: 8080 }, 8443), {
    forwards: [
      { external: 443, internal: 8443, purpose: 'https' },
      { external: 80, internal: 8080, purpose: 'acme-http' },
    ],
  });
  assert.deepEqual(
    mappingPlan({ ...base, tls: 'off', publicUrl: 'http://maison.example:8080' }, 8080),
    { forwards: [{ external: 8080, internal: 8080, purpose: 'http' }] },
  );
});

test('loopback and IPv6-only setups are skipped with the reason', () => {
  const skip = (c: Partial<typeof base>): string =>
    (mappingPlan({ ...base, ...c }, 1) as { skip: string }).skip;
  assert.match(skip({ host: '127.0.0.1' }), /cannot reach/);
  assert.match(skip({ host: '::' }), /IPv6/);
});

test('behind a reverse proxy here, the public ports go to the same ports (the proxy listens there)', () => {
  assert.deepEqual(mappingPlan({ ...base, host: '127.0.0.1', tls: 'proxy' }, 8080), {
    forwards: [
      { external: 443, internal: 443, purpose: 'https' },
      { external: 80, internal: 80, purpose: 'http' },
    ],
  });
});

test('the default gateway is read from a /proc/net/route table', () => {
  const table = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask',
    'eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF',
    'eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000',
  ].join('\n');
  assert.equal(parseDefaultGateway(table), '192.168.2.1');
  assert.equal(parseDefaultGateway(table.split('\n').slice(0, 2).join('\n')), undefined);
});
