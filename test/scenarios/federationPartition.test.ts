/**
 * A partition between a follower and a group's hub, with three real server processes on
 * loopback: the hub maison.example (Alice), the follower chez-bob.example (Bob and Bea) and
 * loin.example (Carol). The link between the hub and the follower, both ways, goes through a
 * TCP link the test cuts and heals. During the cut:
 *
 * - Bob and Bea keep writing: each message is accepted at once and delivered at once to the
 *   other on their own instance, decrypting;
 * - the hub's side keeps chatting, and removes Bea (a commit the follower does not see);
 * - a commit of Bob's waits for the hub (`peer_unreachable`);
 * - the follower is killed with SIGKILL with messages held, and restarted.
 *
 * After the heal every member gets every message exactly once, in order, decrypting (those
 * written at the epoch before Alice's commit too); what Bea wrote is refused by the hub, which
 * no longer counts her a member, and comes back to her as failed; the follower's own members
 * get nothing of theirs twice. No instance's files hold a message in clear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess, findMarkers, type ServerProcess } from '../helpers/server.ts';
import { freePort, trustInstances } from '../helpers/federation.ts';
import { Member } from '../helpers/fedMember.ts';
import { TcpLink } from '../helpers/tcpLink.ts';
import { tearDown } from '../helpers/scenario.ts';
import { fromBase64Url } from '../../src/shared/protocol/bytes.ts';
import type { WellKnown } from '../../src/shared/protocol/api.ts';

const H = 'maison.example';
const F = 'chez-bob.example';
const C = 'loin.example';
const MARKER = `partitionmarker${Date.now().toString(36)}`;
/** Generous: two cores shared with other suites. */
const WAIT_MS = 60_000;

test(
  'a follower cut off from the hub keeps its members chatting; after the heal all arrive once',
  { timeout: 300_000 },
  async (t) => {
    const ports: Record<string, number> = {
      [H]: await freePort(),
      [F]: await freePort(),
      [C]: await freePort(),
    };
    // Hub ↔ follower goes through links the test cuts; everything else is direct.
    const toHub = await TcpLink.open(ports[H]!);
    const toFollower = await TcpLink.open(ports[F]!);
    const direct = (d: string): string => `${d}=http://127.0.0.1:${ports[d]}`;
    const peers: Record<string, string> = {
      [H]: [`${F}=${toFollower.url}`, direct(C)].join(','),
      [F]: [`${H}=${toHub.url}`, direct(C)].join(','),
      [C]: [direct(H), direct(F)].join(','),
    };
    const start = (domain: string, dataDir?: string): Promise<ServerProcess> =>
      startServerProcess({
        ...(dataDir === undefined ? {} : { dataDir }),
        port: ports[domain],
        args: ['--domain', domain, '--federation-peers', peers[domain]!],
      });
    const hub = await start(H);
    let follower = await start(F);
    const far = await start(C);
    t.after(async () => {
      await Promise.all([toHub.cut(), toFollower.cut()]);
      await tearDown([hub, follower, far], []);
    });

    const keys = new Map<string, Uint8Array>();
    for (const s of [hub, follower, far]) {
      const wk = (await (await fetch(`${s.url}/.well-known/foyer`)).json()) as WellKnown;
      keys.set(wk.domain, fromBase64Url(wk.instanceKey)!);
    }
    const trust = trustInstances(keys);
    const member = async (s: ServerProcess, name: string, first = false): Promise<Member> =>
      Member.register(
        s.url,
        [first ? s.adminInvite : await s.invite(), await s.invite()],
        name,
        trust,
      );
    const alice = await member(hub, 'alice', true);
    const bob = await member(follower, 'bob', true);
    const bea = await member(follower, 'bea');
    const carol = await member(far, 'carol', true);
    await alice.createGroup();
    await alice.add([bob, bea, carol]);
    await Promise.all([bob.join(WAIT_MS), bea.join(WAIT_MS), carol.join(WAIT_MS)]);
    const text = (s: string): string => `${s} ${MARKER}`;
    const hello = text('hello');
    await alice.send(hello);
    for (const m of [bob, bea, carol]) assert.deepEqual(await m.read(1, WAIT_MS), [hello]);

    // The cut, both ways.
    await Promise.all([toHub.cut(), toFollower.cut()]);

    // Bob and Bea keep writing: accepted at once, delivered at once on their own instance
    // (nothing can have come through the hub).
    const [b1, e1, b2] = [text('b1'), text('e1'), text('b2')];
    const b1Id = await bob.send(b1);
    const e1Id = await bea.send(e1);
    await bob.send(b2);
    assert.deepEqual(await bea.read(2, WAIT_MS), [b1, b2]);
    assert.deepEqual(await bob.read(1, WAIT_MS), [e1]);
    // Sent, not relayed: no other instance has it yet.
    assert.equal(
      bob.statuses.some((s) => s.id === b1Id),
      false,
    );

    // The hub's side keeps chatting, and removes Bea meanwhile.
    const [a1, c1] = [text('a1'), text('c1')];
    await alice.send(a1);
    assert.deepEqual(await carol.read(1, WAIT_MS), [a1]);
    await carol.send(c1);
    assert.deepEqual(await alice.read(1, WAIT_MS), [c1]);
    await alice.remove([bea]);
    assert.deepEqual(await carol.read(1, WAIT_MS), []);

    // Bea, not knowing, writes again: her own instance still delivers it to Bob.
    const e2 = text('e2');
    const e2Id = await bea.send(e2);
    assert.deepEqual(await bob.read(1, WAIT_MS), [e2]);
    // A commit waits for the hub.
    assert.equal((await bob.trySelfUpdate()).body.error?.code, 'peer_unreachable');

    // The follower is killed with held messages, and comes back still cut off.
    await follower.kill9();
    follower = await start(F, follower.dataDir);
    await Promise.all([bob.device.login(), bea.device.login()]);
    const b3 = text('b3');
    const b3Id = await bob.send(b3);
    assert.deepEqual(await bea.read(1, WAIT_MS), [b3]);

    // The heal: Bob's messages reach the hub's side in the order they were written, once;
    // Bea's are refused by the hub (she is no longer a member) and fail at her device.
    await Promise.all([toHub.heal(), toFollower.heal()]);
    const [fromAlice, fromCarol] = await Promise.all([
      alice.read(3, WAIT_MS),
      carol.read(3, WAIT_MS),
    ]);
    assert.deepEqual(fromAlice, [b1, b2, b3]);
    assert.deepEqual(fromCarol, [b1, b2, b3]);
    // Bob gets what the hub's side wrote (and the commit), nothing of his own instance again.
    assert.deepEqual(await bob.read(3, WAIT_MS), [a1, c1]);
    for (const id of [e1Id, e2Id]) {
      const st = await bea.status(id, 'failed', WAIT_MS);
      assert.equal(st.domain, H);
      assert.equal(st.reason, 'not_member');
    }
    // Bob's held messages move on as any other: relayed once loin.example has them.
    for (const id of [b1Id, b3Id]) {
      const taken = bob.statuses.find((s) => s.id === id && s.state === 'relayed');
      assert.equal((taken ?? (await bob.status(id, 'relayed', WAIT_MS))).domain, C);
    }

    // Back to normal: Bob writes through the hub in the new epoch.
    const back = text('back');
    await bob.send(back);
    const [a, c] = await Promise.all([alice.read(1, WAIT_MS), carol.read(1, WAIT_MS)]);
    assert.deepEqual([a, c], [[back], [back]]);
    for (const m of [alice, bob, carol]) await m.assertNothingMore();

    for (const s of [hub, follower, far]) await s.stop();
    assert.deepEqual(
      findMarkers(
        [hub, follower, far].map((s) => s.dataDir),
        [MARKER],
      ),
      [],
    );
  },
);
