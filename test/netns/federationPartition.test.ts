/**
 * A partition across network namespaces: three Foyer instances (maison.example, the hub of
 * the group; chez-bob.example with Bob and Bea; third.example with Carol), each a real server
 * process on its own address, speaking HTTPS. chez-bob's link is cut: Bob and Bea keep
 * writing to each other, delivered at once by their own instance; the hub's side keeps
 * chatting. After the heal every member gets every message exactly once, in order per
 * sender, decrypting; no instance's files hold a message in clear.
 * Needs root (network namespaces); skipped elsewhere with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFedNet, netnsUnavailable, type FedNet } from '../helpers/fedNet.ts';
import { Member } from '../helpers/fedMember.ts';
import { trustInstances } from '../helpers/federation.ts';
import { findMarkers } from '../helpers/server.ts';
import { fromBase64Url } from '../../src/shared/protocol/bytes.ts';
import type { WellKnown } from '../../src/shared/protocol/api.ts';

const HUB = 'maison.example';
const BOB = 'chez-bob.example';
const THIRD = 'third.example';
const MARKER = `fedpartmarker${Date.now().toString(36)}`;
/** Generous: two cores shared with other suites. */
const WAIT_MS = 90_000;

describe('a partition across network namespaces', { skip: netnsUnavailable }, () => {
  let net: FedNet;
  let alice: Member;
  let bob: Member;
  let bea: Member;
  let carol: Member;

  before(async () => {
    net = await createFedNet([HUB, BOB, THIRD]);
    const keys = new Map<string, Uint8Array>();
    for (const i of net.instances) {
      const wk = (await (await fetch(`${i.url}/.well-known/foyer`)).json()) as WellKnown;
      keys.set(wk.domain, fromBase64Url(wk.instanceKey)!);
    }
    const trust = trustInstances(keys);
    const member = (domain: string, name: string, first: boolean): Promise<Member> => {
      const i = net.get(domain);
      return Member.register(i.url, [first ? i.adminInvite : i.invite(), i.invite()], name, trust);
    };
    [alice, bob, carol] = await Promise.all([
      member(HUB, 'alice', true),
      member(BOB, 'bob', true),
      member(THIRD, 'carol', true),
    ]);
    bea = await member(BOB, 'bea', false);
  });

  after(async () => {
    await net?.close();
  });

  test('cut off from the hub, two members of one instance chat; after the heal all arrive once', async () => {
    await alice.createGroup();
    await alice.add([bob, bea, carol]);
    await Promise.all([bob.join(WAIT_MS), bea.join(WAIT_MS), carol.join(WAIT_MS)]);
    const text = (s: string): string => `${s} ${MARKER}`;

    net.cut(BOB);
    // Bob and Bea write; each gets the other's messages while the link is down.
    const [b1, e1, b2, e2] = ['b1', 'e1', 'b2', 'e2'].map(text) as [string, string, string, string];
    await bob.send(b1);
    await bea.send(e1);
    await bob.send(b2);
    await bea.send(e2);
    const [toBea, toBob] = await Promise.all([bea.read(2, WAIT_MS), bob.read(2, WAIT_MS)]);
    assert.deepEqual(toBea, [b1, b2]);
    assert.deepEqual(toBob, [e1, e2]);
    // The hub's side chats too; what it owes chez-bob waits in its queue.
    const [a1, c1] = [text('a1'), text('c1')];
    await alice.send(a1);
    assert.deepEqual(await carol.read(1, WAIT_MS), [a1]);
    await carol.send(c1);
    assert.deepEqual(await alice.read(1, WAIT_MS), [c1]);
    assert.equal(net.get(HUB).queued(BOB), 2);
    // chez-bob holds its members' four for the hub, on disk.
    assert.equal(net.get(BOB).held(HUB), 4);

    net.heal(BOB);
    // Everyone gets what the other side wrote, once, in the order it was written.
    const [toAlice, toCarol, bobLater, beaLater] = await Promise.all([
      alice.read(4, WAIT_MS),
      carol.read(4, WAIT_MS),
      bob.read(2, WAIT_MS),
      bea.read(2, WAIT_MS),
    ]);
    assert.deepEqual(toAlice, [b1, e1, b2, e2]);
    assert.deepEqual(toCarol, [b1, e1, b2, e2]);
    assert.deepEqual(bobLater, [a1, c1]);
    assert.deepEqual(beaLater, [a1, c1]);
    // And the group goes on through the hub.
    const back = text('back');
    await bea.send(back);
    const others = await Promise.all([alice, bob, carol].map((m) => m.read(1, WAIT_MS)));
    assert.deepEqual(others, [[back], [back], [back]]);
    for (const m of [alice, bob, bea, carol]) await m.assertNothingMore();
  });

  test('no instance keeps a message in clear', async () => {
    for (const i of net.instances) await i.stop();
    assert.deepEqual(
      findMarkers(
        net.instances.map((i) => i.dataDir),
        [MARKER],
      ),
      [],
    );
  });
});
