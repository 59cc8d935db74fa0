/**
 * Three Foyer instances on a network of namespaces (maison.example, chez-bob.example,
 * third.example), each a real server process with its own data folder and address, speaking
 * HTTPS with certificates from a test authority they trust. A group created on maison (its
 * hub) spans all three. Every message arrives once, in order, and decrypts; a link cut and
 * healed, and a follower killed with SIGKILL during fan-out, lose and duplicate nothing that
 * the hub acknowledged; a message written on the cut-off side before a commit, held by its
 * instance and submitted to the hub after the heal, still decrypts. One to one across two instances with the CLI client. A hostile
 * instance on the network (its discovery in its own namespace; the test signs its requests)
 * is refused with each code, and once denied; the others are unaffected. No instance's files
 * hold a message in clear. See docs/testing.md for the network.
 * Needs root (network namespaces); skipped elsewhere with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFedNet, netnsUnavailable, type FedNet } from '../helpers/fedNet.ts';
import { Member } from '../helpers/fedMember.ts';
import { trustInstances } from '../helpers/federation.ts';
import { findMarkers, removeDir, tempDir } from '../helpers/server.ts';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fromBase64Url, toBase64Url, utf8 } from '../../src/shared/protocol/bytes.ts';
import { keyPairFromSeed, signerOf, signRequest } from '../../src/server/federation/signature.ts';
import { encodeBatch, INBOX_PATH } from '../../src/server/federation/wire.ts';
import type { WellKnown } from '../../src/shared/protocol/api.ts';

const HUB = 'maison.example';
const BOB = 'chez-bob.example';
const THIRD = 'third.example';
const MALLORY = 'mallory.example';
type InboxAnswer = {
  accepted?: number;
  duplicates?: number;
  refused?: number;
  error?: { code: string };
};
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
    net = await createFedNet([HUB, BOB, THIRD], { standIns: [MALLORY] });
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
    // A member cut off from the hub writes: his server cannot reach it, so it holds the
    // message (it has no other member of the group to place it with) to submit it once the
    // hub is back. Meanwhile the hub's side moves to a new epoch.
    const late = `written during the cut ${MARKER}`;
    const kept = await bob.prepare(late);
    assert.equal((await bob.submit(kept)).status, 200);
    await alice.selfUpdate();
    assert.deepEqual(await carol.read(1, WAIT_MS), []);
    net.heal(BOB);
    assert.deepEqual(await bob.read(5, WAIT_MS), during);
    // Submitted after the heal, the message of the epoch before still decrypts everywhere
    // (past epochs' keys are kept, shared/mls/config.ts).
    const [a1, c1] = await Promise.all([alice.read(1, WAIT_MS), carol.read(1, WAIT_MS)]);
    assert.deepEqual([a1, c1], [[late], [late]]);
    // The client sending it again is a duplicate: delivered to nobody twice.
    assert.equal((await bob.submit(kept)).status, 200);
    // And the follower's member writes in the new epoch, to everyone.
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

  test('a hostile instance is refused with its codes, a denied one too; the others are unaffected', async () => {
    const home = net.get(BOB);
    const mallory = net.standIns[0]!;
    const key = keyPairFromSeed(randomBytes(32));
    await mallory.showKey(key.publicKey);
    const batch = (groupId: Uint8Array, text: string): Uint8Array =>
      encodeBatch([
        {
          kind: 'message',
          groupId,
          msgId: toBase64Url(randomBytes(16)),
          body: utf8(text),
          devices: [bob.device.id],
        },
      ]);
    const sign = (origin: string, body: Uint8Array, k = key): Record<string, string> => ({
      ...signRequest({
        method: 'POST',
        origin,
        target: BOB,
        path: INBOX_PATH,
        body,
        signer: signerOf(k.privateKey),
        nowSeconds: Math.floor(Date.now() / 1000),
      }),
    });
    const post = async (headers: Record<string, string>, body: Uint8Array) => {
      const res = await fetch(home.url + INBOX_PATH, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: (await res.json()) as InboxAnswer };
    };
    const code = async (headers: Record<string, string>, body: Uint8Array) =>
      (await post(headers, body)).body.error?.code;

    // First contact: chez-bob discovers mallory's key over the network and pins it.
    const first = batch(randomBytes(16), 'mallory first');
    const firstHeaders = sign(MALLORY, first);
    assert.deepEqual((await post(firstHeaders, first)).body, {
      accepted: 1,
      duplicates: 0,
      refused: 0,
    });
    assert.equal(await code(firstHeaders, first), 'replayed');
    // Items of a group whose hub is maison, sent by mallory: dropped.
    const spoof = batch(fromBase64Url(alice.gid)!, 'spoof');
    assert.deepEqual((await post(sign(MALLORY, spoof), spoof)).body, {
      accepted: 0,
      duplicates: 0,
      refused: 1,
    });
    // Posing as maison; signing with a key its discovery does not show; then showing that
    // new key (the pin holds); a malformed batch; no signature at all.
    const stranger = keyPairFromSeed(randomBytes(32));
    const other = batch(randomBytes(16), 'forged');
    assert.equal(await code(sign(HUB, other), other), 'bad_signature');
    assert.equal(await code(sign(MALLORY, other, stranger), other), 'bad_signature');
    await mallory.showKey(stranger.publicKey);
    assert.equal(await code(sign(MALLORY, other, stranger), other), 'bad_signature');
    const malformed = utf8('{"items":[{"kind":"message"}]}');
    assert.equal(await code(sign(MALLORY, malformed), malformed), 'bad_request');
    assert.equal(await code({}, other), 'bad_signature');
    // Denied by chez-bob's administrator: refused before any key is looked at.
    home.admin(['federation', 'deny', MALLORY]);
    const denied = batch(randomBytes(16), 'denied');
    assert.equal(await code(sign(MALLORY, denied), denied), 'federation_denied');

    // Only mallory's first item reached bob; the group goes on as before.
    assert.deepEqual(await bob.takeRaw(1, WAIT_MS), ['mallory first']);
    const after = `after mallory ${MARKER}`;
    await alice.send(after);
    const [b, c] = await Promise.all([bob.read(1, WAIT_MS), carol.read(1, WAIT_MS)]);
    assert.deepEqual([b, c], [[after], [after]]);
    await bob.assertNothingMore();
  });

  test('no instance keeps a message in clear', async () => {
    for (const i of net.instances) await i.stop();
    assert.deepEqual(findMarkers([...net.instances.map((i) => i.dataDir), scratch], [MARKER]), []);
  });
});
