import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryRouter, type Parcel, type RemoteRoute } from './router.ts';
import type { DeviceAddress } from './address.ts';
import { Mailboxes, type PushItem } from '../mailbox/mailbox.ts';
import { memoryDb } from '../testing/memoryDb.ts';
import { autocommitTx } from '../testing/tx.ts';
import { utf8 } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';

const HOME = 'maison.example';
const tx = autocommitTx();
const at = (user: string, domain: string, deviceId: string): DeviceAddress => ({
  user,
  domain,
  deviceId,
});
const parcel: Parcel = {
  kind: 'message',
  groupId: new Uint8Array(16).fill(7),
  msgId: 'm1',
  body: utf8('opaque'),
};

/** A router over real mailboxes; `remote` is the route federation will provide. */
function setup(opts: { revoked?: string[]; remote?: RemoteRoute } = {}) {
  const db = memoryDb();
  const mailboxes = new Mailboxes(db, { ttlMs: 60_000, quota: 100 });
  const revoked = new Set(opts.revoked ?? []);
  const router = new DeliveryRouter({
    domain: HOME,
    mailboxes,
    revoked,
    ...(opts.remote === undefined ? {} : { remote: opts.remote }),
  });
  const ids = (deviceId: string) => mailboxes.page(deviceId, 0, 10).items.map((i) => i.id);
  return { db, mailboxes, router, ids };
}

test('local devices get the item in their mailbox; a revoked one gets nothing', () => {
  const { router, mailboxes, ids } = setup({ revoked: ['d3'] });
  const pushes = router.deliver(
    tx,
    [at('alice', HOME, 'd1'), at('bob', HOME, 'd2'), at('bob', HOME, 'd3')],
    parcel,
    1,
  );
  assert.deepEqual(ids('d1'), ['m1']);
  assert.deepEqual(ids('d2'), ['m1']);
  assert.deepEqual(ids('d3'), []);
  // Sockets hear of it only when the router publishes (after the commit).
  const heard: PushItem[] = [];
  mailboxes.subscribe('d1', (items) => heard.push(...items));
  mailboxes.publishBatch();
  assert.equal(heard.length, 0);
  router.publish(pushes);
  mailboxes.publishBatch();
  assert.equal(heard.length, 1);
  assert.match(heard[0]!.json, /"id":"m1"/);
});

test('without a remote route, a device of another instance is refused, not dropped', () => {
  const { router, ids } = setup();
  assert.equal(router.reaches(HOME), true);
  assert.equal(router.reaches('chez-bob.example'), false);
  assert.throws(
    () =>
      router.deliver(tx, [at('alice', HOME, 'd1'), at('bob', 'chez-bob.example', 'd1')], parcel, 1),
    (e: unknown) =>
      e instanceof FoyerError &&
      e.code === 'federation_unavailable' &&
      e.details?.['domain'] === 'chez-bob.example',
  );
  assert.deepEqual(ids('d1'), [], 'nothing placed for the local member either');
});

test('with a remote route, each instance gets one queue entry per item, with its devices', () => {
  const queued: Array<{ domain: string; devices: string[]; msgId: string }> = [];
  const remote: RemoteRoute = {
    reaches: (domain) => domain !== 'denied.example',
    enqueue(_tx, domain, devices, p) {
      queued.push({ domain, devices: devices.map((d) => d.deviceId), msgId: p.msgId });
    },
  };
  const { router, ids } = setup({ remote });
  router.deliver(
    tx,
    [
      at('alice', HOME, 'd1'),
      at('bob', 'chez-bob.example', 'b1'),
      at('bob', 'chez-bob.example', 'b2'),
      at('carol', 'ailleurs.example', 'c1'),
      // Same device id as a local device: another device, on another route.
      at('dan', 'ailleurs.example', 'd1'),
    ],
    parcel,
    1,
  );
  assert.deepEqual(ids('d1'), ['m1']);
  assert.deepEqual(queued, [
    { domain: 'chez-bob.example', devices: ['b1', 'b2'], msgId: 'm1' },
    { domain: 'ailleurs.example', devices: ['c1', 'd1'], msgId: 'm1' },
  ]);
  assert.equal(router.reaches('denied.example'), false);
  assert.throws(
    () => router.deliver(tx, [at('eve', 'denied.example', 'e1')], parcel, 1),
    (e: unknown) => e instanceof FoyerError && e.code === 'federation_unavailable',
  );
});
