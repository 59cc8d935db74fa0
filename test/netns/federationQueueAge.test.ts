/**
 * An instance down for longer than the hub's queue age (3 s here): the sender sees its message
 * failed, with the instance and the reason; once the instance is back, what comes next arrives
 * and the given-up message never does. Two instances on a network of namespaces, over HTTPS.
 * Needs root (network namespaces); skipped elsewhere with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFedNet, netnsUnavailable } from '../helpers/fedNet.ts';
import { Member } from '../helpers/fedMember.ts';
import { trustInstances } from '../helpers/federation.ts';
import { fromBase64Url } from '../../src/shared/protocol/bytes.ts';
import type { WellKnown } from '../../src/shared/protocol/api.ts';

const HUB = 'maison.example';
const BOB = 'chez-bob.example';
const WAIT_MS = 90_000;

test(
  'an instance down longer than the queue age: the sender sees failed, with the reason',
  { skip: netnsUnavailable },
  async (t) => {
    const net = await createFedNet([HUB, BOB], {
      extraArgs: { [HUB]: ['--federation-queue-seconds', '3'] },
    });
    t.after(() => net.close());
    const keys = new Map<string, Uint8Array>();
    for (const i of net.instances) {
      const wk = (await (await fetch(`${i.url}/.well-known/foyer`)).json()) as WellKnown;
      keys.set(wk.domain, fromBase64Url(wk.instanceKey)!);
    }
    const trust = trustInstances(keys);
    const hub = net.get(HUB);
    const home = net.get(BOB);
    const alice = await Member.register(hub.url, [hub.adminInvite, hub.invite()], 'alice', trust);
    const bob = await Member.register(home.url, [home.adminInvite, home.invite()], 'bob', trust);
    await alice.createGroup();
    await alice.add([bob]);
    await bob.join(WAIT_MS);

    await home.stop();
    const lost = await alice.send('never delivered');
    const failed = await alice.status(lost, 'failed', WAIT_MS);
    assert.equal(failed.domain, BOB);
    assert.match(failed.reason ?? '', /\S/);

    await home.start();
    await bob.device.login();
    await alice.send('after the restart');
    assert.deepEqual(await bob.read(1, WAIT_MS), ['after the restart']);
    await bob.assertNothingMore();
  },
);
