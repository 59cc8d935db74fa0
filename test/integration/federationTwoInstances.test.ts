/**
 * Two real Foyer instances on loopback, each its own process and data folder, naming each
 * other through `--federation-peers`: a group on `maison.example` (its hub) with a member
 * device on `chez-bob.example`. Alice looks Bob up and claims his key package through her own
 * server (which asks his, signed); the Welcome and every message travel through the hub's
 * outbound queue and the follower's inbox; Bob's messages and commits go to his own server,
 * which forwards them to the hub, and the hub's answers (a stale commit's `wrong_epoch`
 * included) reach him unchanged. The follower is killed with SIGKILL while items are queued,
 * and after it restarts every acknowledged message arrives exactly once, in order, and
 * decrypts. Neither instance's files hold a message in clear.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiDevice } from '../helpers/apiDevice.ts';
import {
  filesContaining,
  removeDir,
  startServerProcess,
  tempDir,
  type ServerProcess,
} from '../helpers/server.ts';
import { freePort, trustInstances } from '../helpers/federation.ts';
import {
  addMembers,
  createGroup,
  encryptMessage,
  selfUpdate,
  joinFromWelcome,
  processMessage,
  welcomeKeyPackageRefs,
  type Group,
} from '../../src/shared/mls/group.ts';
import {
  fromBase64Url,
  fromUtf8,
  randomBytes,
  toBase64Url,
  utf8,
} from '../../src/shared/protocol/bytes.ts';
import type {
  ClaimedKeyPackages,
  SubmitResponse,
  UserInfo,
  WellKnown,
} from '../../src/shared/protocol/api.ts';

type ErrorBody = { error?: { code: string; details?: { epoch?: number } } };

const A = 'maison.example';
const B = 'chez-bob.example';
const MARKER = `fedmarker${Date.now().toString(36)}`;
const msgId = (): string => toBase64Url(randomBytes(16));

describe('federation between two real instances', () => {
  let hub: ServerProcess;
  let follower: ServerProcess;
  let followerArgs: string[];
  let alice: ApiDevice;
  let bob: ApiDevice;
  let aliceGroup: Group;
  let bobGroup: Group;
  let bobKeyPackage: Uint8Array;
  const groupId = randomBytes(16);
  const gid = toBase64Url(groupId);
  const followerDir = tempDir();

  before(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    hub = await startServerProcess({
      args: [
        '--domain',
        A,
        '--port',
        String(portA),
        '--federation-peers',
        `${B}=http://127.0.0.1:${portB}`,
      ],
    });
    followerArgs = [
      '--domain',
      B,
      '--port',
      String(portB),
      '--federation-peers',
      `${A}=http://127.0.0.1:${portA}`,
    ];
    follower = await startServerProcess({ dataDir: followerDir, args: followerArgs });
    alice = await ApiDevice.register(hub.url, hub.adminInvite, 'alice');
    bob = await ApiDevice.register(follower.url, follower.adminInvite, 'bob');
    const keys = new Map<string, Uint8Array>();
    for (const s of [hub, follower]) {
      const wk = (await (await fetch(`${s.url}/.well-known/foyer`)).json()) as WellKnown;
      keys.set(wk.domain, fromBase64Url(wk.instanceKey)!);
    }
    alice.trust = trustInstances(keys);
    bob.trust = trustInstances(keys);
  });

  after(async () => {
    await hub.stop();
    await follower.stop();
    removeDir(hub.dataDir);
    removeDir(followerDir);
  });

  async function send(text: string): Promise<void> {
    const out = await encryptMessage(aliceGroup, utf8(text), { trust: alice.trust });
    aliceGroup = out.group;
    const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(out.message),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  /** Bob's texts from his mailbox, decrypted in order, once `n` items are there. */
  async function bobReads(n: number): Promise<string[]> {
    const socket = await bob.socket();
    const items = await socket.untilItems(n);
    socket.close();
    const texts: string[] = [];
    for (const item of items) {
      const p = await processMessage(bobGroup, fromBase64Url(item.payload)!, { trust: bob.trust });
      bobGroup = p.group;
      if (p.kind === 'application') texts.push(fromUtf8(p.plaintext) ?? '');
    }
    await bob.call('POST', '/api/v1/mailbox/ack', { upTo: items.at(-1)!.seq });
    return texts;
  }

  test('Alice looks Bob up and claims his key package through her own server', async () => {
    assert.equal((await bob.uploadKeyPackages(1)).status, 200);
    const info = await alice.call<UserInfo>('GET', `/api/v1/users/bob@${B}`);
    assert.equal(info.status, 200, JSON.stringify(info.body));
    assert.equal(info.body.domain, B);
    assert.deepEqual(
      info.body.devices.map((d) => d.id),
      [bob.id],
    );
    // The instance key her server pinned for Bob's instance is the one his serves.
    const inst = await alice.call<{ instanceKey: string }>('GET', `/api/v1/instances/${B}`);
    assert.deepEqual(fromBase64Url(inst.body.instanceKey), (await alice.trust.instanceKeys(B))[0]);
    const unknown = await alice.call<ErrorBody>('GET', `/api/v1/users/nobody@${B}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error?.code, 'not_found');

    const claimed = await alice.call<ClaimedKeyPackages>(
      'POST',
      `/api/v1/users/${encodeURIComponent(`bob@${B}`)}/keypackages`,
    );
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
    assert.equal(claimed.body.keyPackages.length, 1);
    assert.equal(claimed.body.keyPackages[0]!.deviceId, bob.id);
    bobKeyPackage = fromBase64Url(claimed.body.keyPackages[0]!.keyPackage)!;
  });

  test('a group on one instance adds a device of the other: the Welcome crosses over', async () => {
    const kp = bobKeyPackage;

    assert.equal((await alice.call('POST', '/api/v1/groups', { groupId: gid })).status, 200);
    const g = await createGroup(groupId, alice.keys, { trust: alice.trust });
    const out = await addMembers(g, [kp], { trust: alice.trust });
    const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(out.commit),
      welcome: toBase64Url(out.welcome),
      groupInfo: toBase64Url(out.groupInfo),
    });
    assert.deepEqual(r.body, { epoch: 1, duplicate: false });
    aliceGroup = out.group;

    const socket = await bob.socket();
    const [welcome] = await socket.untilItems(1);
    socket.close();
    assert.equal(welcome!.kind, 'welcome');
    const w = fromBase64Url(welcome!.payload)!;
    bobGroup = await joinFromWelcome(w, bob.keyPackageFor(welcomeKeyPackageRefs(w)), {
      trust: bob.trust,
    });
    await bob.call('POST', '/api/v1/mailbox/ack', { upTo: welcome!.seq });
    const members = await alice.call<{ members: Array<{ domain?: string }> }>(
      'GET',
      `/api/v1/groups/${gid}`,
    );
    assert.equal(members.body.members.length, 2);
  });

  test('messages cross in order and decrypt', async () => {
    for (const t of ['one', 'two', 'three']) await send(`${t} ${MARKER}`);
    assert.deepEqual(await bobReads(3), [`one ${MARKER}`, `two ${MARKER}`, `three ${MARKER}`]);
  });

  test('Bob writes through his own server: the hub orders it and Alice reads it', async () => {
    const out = await encryptMessage(bobGroup, utf8(`from bob ${MARKER}`), { trust: bob.trust });
    bobGroup = out.group;
    const r = await bob.call<SubmitResponse>('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(out.message),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.epoch, 1);
    // Alice's mailbox first holds the hub's statuses for her three messages (Bob's instance
    // accepted each), then Bob's message.
    const socket = await alice.socket();
    const items = await socket.untilItems(4);
    socket.close();
    const statuses = items.slice(0, 3).map((i) => {
      assert.equal(i.kind, 'status');
      const s = JSON.parse(fromUtf8(fromBase64Url(i.payload)!)!) as {
        state: string;
        domain: string;
      };
      return [s.state, s.domain];
    });
    assert.deepEqual(statuses, [
      ['relayed', B],
      ['relayed', B],
      ['relayed', B],
    ]);
    const item = items[3];
    assert.equal(item?.kind, 'message');
    const p = await processMessage(aliceGroup, fromBase64Url(item!.payload)!, {
      trust: alice.trust,
    });
    aliceGroup = p.group;
    assert.equal(p.kind, 'application');
    assert.equal(p.kind === 'application' ? fromUtf8(p.plaintext) : '', `from bob ${MARKER}`);
    await alice.call('POST', '/api/v1/mailbox/ack', { upTo: item!.seq });
  });

  test("Bob's commit for a past epoch gets the hub's wrong_epoch through his server", async () => {
    // Alice moves the group to epoch 2 first (an empty commit: a self-update).
    const a = await selfUpdate(aliceGroup, { trust: alice.trust });
    const ra = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(a.commit),
    });
    assert.equal(ra.status, 200, JSON.stringify(ra.body));
    aliceGroup = a.group;
    const b = await selfUpdate(bobGroup, { trust: bob.trust });
    const rb = await bob.call<ErrorBody>('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(b.commit),
    });
    assert.equal(rb.status, 409);
    assert.equal(rb.body.error?.code, 'wrong_epoch');
    assert.equal(rb.body.error?.details?.epoch, 2);
    // Bob catches up with Alice's commit (it reached him through the inbox).
    assert.deepEqual(await bobReads(1), []);
  });

  test('the follower killed while items are queued: after restart each arrives once, in order', async () => {
    await follower.kill9();
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t = `during cut ${i} ${MARKER}`;
      await send(t); // acknowledged by the hub: queued on its disk
      sent.push(t);
    }
    follower = await startServerProcess({ dataDir: followerDir, args: followerArgs });
    await bob.login();
    assert.deepEqual(await bobReads(5), sent);
    // Nothing more arrives: no duplicate of anything already delivered.
    const more = await bob.mailbox();
    assert.deepEqual(more, []);
  });

  test('neither instance keeps a message in clear', async () => {
    await hub.stop();
    await follower.stop();
    assert.deepEqual(filesContaining(hub.dataDir, [MARKER]), []);
    assert.deepEqual(filesContaining(followerDir, [MARKER]), []);
  });
});
