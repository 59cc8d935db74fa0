/**
 * Three Foyer instances on a network of namespaces (maison.example, chez-bob.example,
 * third.example), each a real server process with its own data folder and address, speaking
 * HTTPS with certificates from a test authority they trust. A group created on maison (its
 * hub) spans all three. Every message arrives once, in order, and decrypts; a link cut and
 * healed, and a follower killed with SIGKILL during fan-out, lose and duplicate nothing that
 * the hub acknowledged; a message written on the cut-off side before a commit, held by its
 * instance and submitted to the hub after the heal, still decrypts. With the CLI client, each
 * run inside its instance's namespace: one to one across two instances, a group spanning all
 * three, and what a person reads when federation goes wrong. A hostile instance in its own
 * namespace attacks chez-bob across the bridge: each attack is refused with its code while the
 * honest instances keep talking through chez-bob, and once denied it is refused. No instance's
 * files hold a message in clear. See docs/testing.md for the network. Needs root (network
 * namespaces); skipped elsewhere with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createFedNet,
  netnsUnavailable,
  type FedInstance,
  type FedNet,
} from '../helpers/fedNet.ts';
import { Member } from '../helpers/fedMember.ts';
import { trustInstances } from '../helpers/federation.ts';
import { findMarkers, removeDir, tempDir } from '../helpers/server.ts';
import { join } from 'node:path';
import { fromBase64Url } from '../../src/shared/protocol/bytes.ts';
import type { WellKnown } from '../../src/shared/protocol/api.ts';

const HUB = 'maison.example';
const BOB = 'chez-bob.example';
const THIRD = 'third.example';
const MALLORY = 'mallory.example';
const MARKER = `fednetmarker${Date.now().toString(36)}`;
/** Generous: two cores shared with other suites. */
const WAIT_MS = 90_000;

/**
 * The group's history on a CLI client, [sender, text] each, once it holds at least `n`
 * messages: each call fetches first, and a run of the client takes long enough to pace the
 * polling. Fails the test after WAIT_MS.
 */
async function historyOf(
  inst: FedInstance,
  store: string,
  conversation: string,
  n: number,
): Promise<Array<[string, string]>> {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const got = await inst
      .client(store, 'messages', '--conversation', conversation)
      .catch((err: Error) => ({ error: err.message, messages: [] }));
    const h = (got.messages as Array<{ sender: string; text: string }>).map(
      (m): [string, string] => [m.sender, m.text],
    );
    if (h.length >= n) return h;
    if (Date.now() > end) {
      throw new Error(
        `${store}: ${h.length} of ${n} messages after ${WAIT_MS} ms ${got.error ?? ''}`,
      );
    }
  }
}

describe('federation across network namespaces', { skip: netnsUnavailable }, () => {
  let net: FedNet;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  const scratch = tempDir('foyer-fednet-stores-');
  /** The CLI clients' stores, one person each, on maison, chez-bob and third. */
  const stores = {
    dora: join(scratch, 'dora'),
    eve: join(scratch, 'eve'),
    fay: join(scratch, 'fay'),
  };

  before(async () => {
    net = await createFedNet([HUB, BOB, THIRD], { hostile: [MALLORY] });
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

  test('a group spanning three instances with the CLI client: each member reads every message once, in order', async () => {
    const people: Array<[FedInstance, string, string]> = [
      [net.get(HUB), stores.dora, `dora@${HUB}`],
      [net.get(BOB), stores.eve, `eve@${BOB}`],
      [net.get(THIRD), stores.fay, `fay@${THIRD}`],
    ];
    const [hub, dora] = people[0]!;
    const [third, fay] = people[2]!;
    await third.client(
      fay,
      'register',
      '--server',
      third.innerUrl,
      '--invite',
      third.invite(),
      '--name',
      'fay',
    );
    // Created on maison (its hub); the others are added by their full addresses.
    const created = await hub.client(
      dora,
      'group',
      'create',
      '--title',
      `three homes ${MARKER}`,
      '--members',
      `eve@${BOB},fay@${THIRD}`,
    );
    const id: string = created.conversation.id;
    assert.deepEqual([...created.conversation.members].sort(), people.map(([, , at]) => at).sort());
    const sent: Array<[string, string]> = [];
    // Each writes once everything before has reached them (the Welcome first), so that every
    // history has one order to match: the hub's. dora writes again at the end.
    for (const [inst, store, at] of [...people, people[0]!]) {
      if (sent.length > 0) await historyOf(inst, store, id, sent.length);
      const text = `from ${at} ${sent.length} ${MARKER}`;
      const s = await inst.client(store, 'send', '--conversation', id, '--text', text);
      assert.equal(s.message.state, 'sent', `${at} sends in the group`);
      sent.push([at, text]);
    }
    const histories = await Promise.all(
      people.map(([inst, store]) => historyOf(inst, store, id, sent.length)),
    );
    for (const [n, [, , at]] of people.entries()) {
      assert.deepEqual(histories[n], sent, `${at}'s history`);
    }
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

  test('a hostile instance attacks from its own namespace: each attack refused with its code while the others keep delivering; once denied, refused', async () => {
    const home = net.get(BOB);
    const mallory = net.hostiles[0]!;
    const to = { devices: [bob.device.id], poseAs: HUB };
    // First contact: chez-bob discovers mallory's key across the bridge and pins it; the
    // item reaches bob's mailbox (an instance may write to the devices it names).
    assert.deepEqual((await mallory.attack(home, 'valid', to)).body, {
      accepted: 1,
      duplicates: 0,
      refused: 0,
    });
    assert.deepEqual(await bob.takeRaw(1, WAIT_MS), ['from a hostile peer']);
    // Items of a group whose hub is maison, sent by mallory: dropped.
    assert.deepEqual((await mallory.attack(home, 'spoof', { ...to, groupId: alice.gid })).body, {
      accepted: 0,
      duplicates: 0,
      refused: 1,
    });
    const refusals: Record<string, [number, string]> = {
      replay: [409, 'replayed'],
      forged: [401, 'bad_signature'],
      impersonate: [401, 'bad_signature'],
      'unknown-key': [401, 'bad_signature'],
      unsigned: [401, 'bad_signature'],
      oversized: [413, 'payload_too_large'],
      malformed: [400, 'bad_request'],
    };
    for (const [attack, [status, code]] of Object.entries(refusals)) {
      const answer = await mallory.attack(home, attack, to);
      assert.deepEqual([answer.status, answer.code], [status, code], attack);
    }
    // All of them again and again while the honest instances talk, both ways, through the
    // attacked instance: nothing of theirs waits for the attacker.
    const flood = await mallory.flood(home, Object.keys(refusals), to);
    await flood.rounds(1);
    const during = `during the attack ${MARKER}`;
    await alice.send(during);
    assert.deepEqual(await Promise.all([bob.read(1, WAIT_MS), carol.read(1, WAIT_MS)]), [
      [during],
      [during],
    ]);
    const answer = `answered during the attack ${MARKER}`;
    await bob.send(answer);
    assert.deepEqual(await Promise.all([alice.read(1, WAIT_MS), carol.read(1, WAIT_MS)]), [
      [answer],
      [answer],
    ]);
    const counts = await flood.stop();
    for (const [attack, [, code]] of Object.entries(refusals)) {
      assert.deepEqual(Object.keys(counts[attack] ?? {}), [code], `${attack} during the flood`);
    }
    // Its discovery now shows another key and it signs with that: the pin holds.
    assert.equal((await mallory.attack(home, 'changed-key', to)).code, 'bad_signature');
    // Denied by chez-bob's administrator: refused before any key is looked at.
    home.admin(['federation', 'deny', MALLORY]);
    assert.equal((await mallory.attack(home, 'valid', to)).code, 'federation_denied');
    // Only mallory's first item ever reached bob; the group goes on as before.
    const after = `after mallory ${MARKER}`;
    await alice.send(after);
    const [b, c] = await Promise.all([bob.read(1, WAIT_MS), carol.read(1, WAIT_MS)]);
    assert.deepEqual([b, c], [[after], [after]]);
    await bob.assertNothingMore();
  });

  test('what the CLI tells a person when federation goes wrong: an unknown address, an instance out of reach, a denial on either side', async () => {
    const hub = net.get(HUB);
    const third = net.get(THIRD);
    const person = async (inst: FedInstance, store: string, ...args: string[]) => {
      const r = await inst.clientAsPerson(store, ...args);
      return { code: r.code, out: r.stdout.trim(), err: r.stderr.trim() };
    };
    assert.deepEqual(await person(hub, stores.dora, 'open', `nobody@${BOB}`), {
      code: 1,
      out: '',
      err: `foyer client: no user nobody at ${BOB}`,
    });
    // third.example cut off: looking someone up there says which instance cannot be reached.
    net.cut(THIRD);
    try {
      const lookup = await person(hub, stores.dora, 'open', `someone@${THIRD}`);
      assert.equal(lookup.code, 1);
      assert.match(
        lookup.err,
        new RegExp(
          `^foyer client: your server cannot reach ${THIRD} at the moment \\(network: [^)]+\\); try again later$`,
        ),
      );
    } finally {
      net.heal(THIRD);
    }
    // Denied by maison's administrator: each side is told who refuses.
    hub.admin(['federation', 'deny', THIRD]);
    assert.deepEqual(await person(hub, stores.dora, 'open', `fay@${THIRD}`), {
      code: 1,
      out: '',
      err: `foyer client: your server's administrator does not allow contact with ${THIRD} (on the server, \`foyer federation allow ${THIRD}\` lifts it)`,
    });
    const refused = await person(third, stores.fay, 'open', `dora@${HUB}`);
    assert.equal(refused.code, 1);
    assert.match(
      refused.err,
      new RegExp(
        `^foyer client: ${HUB} refuses contact with your server: its administrator denied it`,
      ),
    );
    const json = await third
      .client(stores.fay, 'open', `dora@${HUB}`)
      .catch((e: Error) => e.message);
    assert.match(json, /"code":"federation_denied"/);
    // Written meanwhile to the group hubbed on maison: kept, and the person is told why.
    const group = (await hub.client(stores.dora, 'conversations')).conversations.find(
      (c: { kind: string }) => c.kind === 'group',
    ).id as string;
    const kept = `kept while denied ${MARKER}`;
    const sent = await person(third, stores.fay, 'send', '--conversation', group, '--text', kept);
    assert.equal(sent.code, 0);
    const waitingLine = new RegExp(
      `^(\\S+) pending: not sent yet \\(federation_denied: ${HUB} does not accept requests from this instance \\(its administrator denied it\\)\\); it stays in the outbox`,
    );
    assert.match(sent.out, waitingLine);
    const id = waitingLine.exec(sent.out)![1]!;
    const sync = await person(third, stores.fay, 'sync');
    assert.match(
      sync.out,
      new RegExp(
        `waiting: conversation ${group}, message ${id}: federation_denied: ${HUB} does not accept`,
      ),
    );
    // Allowed again: the kept message leaves and arrives.
    hub.admin(['federation', 'allow', THIRD]);
    assert.equal((await third.client(stores.fay, 'sync', '--wait', '60')).waiting, 0);
    const history = await historyOf(hub, stores.dora, group, 5);
    assert.deepEqual(history.at(-1), [`fay@${THIRD}`, kept]);
  });

  test('no instance keeps a message in clear', async () => {
    for (const i of net.instances) await i.stop();
    assert.deepEqual(findMarkers([...net.instances.map((i) => i.dataDir), scratch], [MARKER]), []);
  });
});
