/**
 * Three Foyer instances on a network of namespaces (maison.example, chez-bob.example,
 * third.example), each a real server process with its own data folder and address, speaking
 * HTTPS with certificates from a test authority they trust. A group created on maison (its
 * hub) spans all three. Every message arrives once, in order, and decrypts; a link cut and
 * healed, and a follower killed with SIGKILL during fan-out, lose and duplicate nothing that
 * the hub acknowledged. No instance's files hold a message in clear.
 * Needs root (network namespaces); skipped elsewhere with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFedNet, netnsUnavailable, type FedNet } from '../helpers/fedNet.ts';
import { Member } from '../helpers/fedMember.ts';
import { trustInstances } from '../helpers/federation.ts';
import { findMarkers, removeDir, tempDir } from '../helpers/server.ts';
import { join } from 'node:path';
import { fromBase64Url } from '../../src/shared/protocol/bytes.ts';
import type { WellKnown } from '../../src/shared/protocol/api.ts';

const HUB = 'maison.example';
const BOB = 'chez-bob.example';
const THIRD = 'third.example';
const MARKER = `fednetmarker${Date.now().toString(36)}`;
/** Generous: two cores shared with other suites. */
const WAIT_MS = 90_000;

describe('federation across network namespaces', { skip: netnsUnavailable }, () => {
  let net: FedNet;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  const scratch = tempDir('foyer-fednet-stores-');

  before(async () => {
    net = await createFedNet([HUB, BOB, THIRD]);
    const keys = new Map<string, Uint8Array>();
    for (const i of net.instances) {
      const wk = (await (await fetch(`${i.url}/.well-known/foyer`)).json()) as WellKnown;
      keys.set(wk.domain, fromBase64Url(wk.instanceKey)!);
    }
    const trust = trustInstances(keys);
    const member = (domain: string, name: string): Promise<Member> => {
      const i = net.get(domain);
      return Member.register(i.url, [i.adminInvite, i.invite()], name, trust);
    };
    [alice, bob, carol] = await Promise.all([
      member(HUB, 'alice'),
      member(BOB, 'bob'),
      member(THIRD, 'carol'),
    ]);
  });

  after(async () => {
    await net?.close();
    removeDir(scratch);
  });

  test('a group spanning three instances: Welcomes cross, messages arrive once, in order', async () => {
    await alice.createGroup();
    await alice.add([bob, carol]);
    await Promise.all([bob.join(WAIT_MS), carol.join(WAIT_MS)]);
    const sent = ['one', 'two', 'three'].map((t) => `${t} ${MARKER}`);
    for (const t of sent) await alice.send(t);
    const [b, c] = await Promise.all([bob.read(3, WAIT_MS), carol.read(3, WAIT_MS)]);
    assert.deepEqual(b, sent);
    assert.deepEqual(c, sent);
  });

  test("one to one across two instances with the CLI client, each device on its instance's network", async () => {
    const hub = net.get(HUB);
    const home = net.get(BOB);
    const stores = { dora: join(scratch, 'dora'), eve: join(scratch, 'eve') };
    await hub.client(
      stores.dora,
      'register',
      '--server',
      hub.innerUrl,
      '--invite',
      hub.invite(),
      '--name',
      'dora',
    );
    await home.client(
      stores.eve,
      'register',
      '--server',
      home.innerUrl,
      '--invite',
      home.invite(),
      '--name',
      'eve',
    );
    const { conversation } = await hub.client(stores.dora, 'open', `eve@${BOB}`);
    const hello = `hello ${MARKER}`;
    assert.equal(
      (await hub.client(stores.dora, 'send', '--conversation', conversation.id, '--text', hello))
        .message.state,
      'sent',
    );
    await home.client(stores.eve, 'sync');
    const got = await home.client(stores.eve, 'messages', '--conversation', conversation.id);
    assert.deepEqual(
      got.messages.map((m: { sender: string; text: string }) => [m.sender, m.text]),
      [[`dora@${HUB}`, hello]],
    );
    const reply = `reply ${MARKER}`;
    await home.client(stores.eve, 'send', '--conversation', conversation.id, '--text', reply);
    await hub.client(stores.dora, 'sync');
    const history = await hub.client(stores.dora, 'messages', '--conversation', conversation.id);
    assert.deepEqual(
      history.messages.map((m: { sender: string; text: string }) => [m.sender, m.text]),
      [
        [`dora@${HUB}`, hello],
        [`eve@${BOB}`, reply],
      ],
    );
  });

  test('a link cut: the connected side keeps chatting; after the heal each message arrives once, in order', async () => {
    net.cut(BOB);
    const during = [0, 1, 2, 3].map((i) => `during cut ${i} ${MARKER}`);
    for (const t of during) await alice.send(t);
    // The instance still reachable gets them while the link is down.
    assert.deepEqual(await carol.read(4, WAIT_MS), during);
    // Cut off, the other follower has none of them, and the hub keeps all four queued for it.
    await bob.assertNothingMore();
    assert.equal(net.get(HUB).queued(BOB), 4);
    // A member cut off from the hub is told so (its client keeps the message and retries).
    const refused = await bob.device.call<{ error: { code: string } }>(
      'POST',
      `/api/v1/groups/${bob.gid}/messages`,
      { id: 'x'.repeat(22), message: 'AAAA' },
    );
    assert.equal(refused.body.error.code, 'peer_unreachable');
    net.heal(BOB);
    assert.deepEqual(await bob.read(4, WAIT_MS), during);
    // Healed, the follower's member writes again through the hub, to everyone.
    const back = `back ${MARKER}`;
    await bob.send(back);
    const [a, c] = await Promise.all([alice.read(1, WAIT_MS), carol.read(1, WAIT_MS)]);
    assert.deepEqual([a, c], [[back], [back]]);
    await bob.assertNothingMore();
    await carol.assertNothingMore();
  });

  test('a follower killed with SIGKILL during fan-out: nothing acknowledged lost, nothing twice', async () => {
    const third = net.get(THIRD);
    const sent: string[] = [];
    const first = `fan-out 0 ${MARKER}`;
    await alice.send(first);
    sent.push(first);
    // Killed once the fan-out reached it: the rest is acknowledged by the hub while it is down.
    assert.deepEqual(await carol.read(1, WAIT_MS), [first]);
    const sending = (async () => {
      for (let i = 1; i < 12; i++) {
        const t = `fan-out ${i} ${MARKER}`;
        await alice.send(t);
        sent.push(t);
      }
    })();
    await third.kill9();
    await sending;
    await third.start();
    await carol.device.login();
    assert.deepEqual(await carol.read(11, WAIT_MS), sent.slice(1));
    assert.deepEqual(await bob.read(12, WAIT_MS), sent);
    await carol.assertNothingMore();
    await bob.assertNothingMore();
  });

  test('no instance keeps a message in clear', async () => {
    for (const i of net.instances) await i.stop();
    assert.deepEqual(findMarkers([...net.instances.map((i) => i.dataDir), scratch], [MARKER]), []);
  });
});
