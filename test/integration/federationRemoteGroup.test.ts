/**
 * A group hubbed on another instance, seen from a follower's device: its status and its
 * GroupInfo are asked of the device's own server, which asks the group's hub (a signed
 * request that names no device) and hands the answer only to a member device. Two real
 * instances on loopback, and a third instance played by the test that has no device in the
 * group (the hub refuses it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { ApiDevice } from '../helpers/apiDevice.ts';
import { removeDir, startServerProcess, type ServerProcess } from '../helpers/server.ts';
import { freePort, StandInPeer, trustInstances } from '../helpers/federation.ts';
import { within } from '../helpers/fedMember.ts';
import { addMembers, createGroup } from '../../src/shared/mls/group.ts';
import { fromBase64Url, randomBytes, toBase64Url } from '../../src/shared/protocol/bytes.ts';
import type { ClaimedKeyPackages, GroupStatus, WellKnown } from '../../src/shared/protocol/api.ts';
import { keyPairFromSeed, signerOf, signRequest } from '../../src/server/federation/signature.ts';

const A = 'maison.example';
const B = 'chez-bob.example';
const C = 'ailleurs.example';
type ErrorBody = { error?: { code: string; details?: Record<string, unknown> } };

describe("a remote group's status and GroupInfo, through the device's own server", () => {
  let hub: ServerProcess;
  let follower: ServerProcess;
  let alice: ApiDevice;
  let bob: ApiDevice;
  let bert: ApiDevice;
  let groupInfo: Uint8Array;
  const stranger = new StandInPeer(C, keyPairFromSeed(nodeRandomBytes(32)));
  const groupId = randomBytes(16);
  const gid = toBase64Url(groupId);

  before(async () => {
    await stranger.start();
    const [portA, portB] = [await freePort(), await freePort()];
    hub = await startServerProcess({
      args: [
        ...['--domain', A, '--port', String(portA)],
        ...['--federation-peers', `${B}=http://127.0.0.1:${portB},${C}=${stranger.url}`],
      ],
    });
    follower = await startServerProcess({
      args: [
        ...['--domain', B, '--port', String(portB)],
        ...['--federation-peers', `${A}=http://127.0.0.1:${portA}`],
      ],
    });
    alice = await ApiDevice.register(hub.url, hub.adminInvite, 'alice');
    bob = await ApiDevice.register(follower.url, follower.adminInvite, 'bob');
    bert = await ApiDevice.register(follower.url, await follower.invite(), 'bert');
    const keys = new Map<string, Uint8Array>();
    for (const s of [hub, follower]) {
      const wk = (await (await fetch(`${s.url}/.well-known/foyer`)).json()) as WellKnown;
      keys.set(wk.domain, fromBase64Url(wk.instanceKey)!);
    }
    for (const d of [alice, bob, bert]) d.trust = trustInstances(keys);

    // Alice's group (hubbed on maison) adds Bob; Bob's server learns its hub from the Welcome.
    assert.equal((await bob.uploadKeyPackages(1)).status, 200);
    const claimed = await alice.call<ClaimedKeyPackages>(
      'POST',
      `/api/v1/users/${encodeURIComponent(`bob@${B}`)}/keypackages`,
    );
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
    assert.equal((await alice.call('POST', '/api/v1/groups', { groupId: gid })).status, 200);
    const g = await createGroup(groupId, alice.keys, { trust: alice.trust });
    const out = await addMembers(g, [fromBase64Url(claimed.body.keyPackages[0]!.keyPackage)!], {
      trust: alice.trust,
    });
    const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
      id: toBase64Url(randomBytes(16)),
      message: toBase64Url(out.commit),
      welcome: toBase64Url(out.welcome),
      groupInfo: toBase64Url(out.groupInfo),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    groupInfo = out.groupInfo;
    const socket = await bob.socket();
    await within(30_000, 'the Welcome at chez-bob', socket.untilItems(1));
    socket.close();
  });

  after(async () => {
    await hub.stop();
    await follower.stop();
    await stranger.stop();
    removeDir(hub.dataDir);
    removeDir(follower.dataDir);
  });

  test('a member device on the follower gets the status from the hub', async () => {
    const s = await bob.call<GroupStatus>('GET', `/api/v1/groups/${gid}`);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.equal(s.body.groupId, gid);
    assert.equal(s.body.epoch, 1);
    assert.deepEqual(
      s.body.members.map((m) => [m.leaf, m.user, m.domain, m.deviceId]),
      [
        [0, 'alice', A, alice.id],
        [1, 'bob', B, bob.id],
      ],
    );
    // The same answer Alice gets from the hub itself.
    assert.deepEqual((await alice.call('GET', `/api/v1/groups/${gid}`)).body, s.body);
  });

  test("a member device on the follower gets the hub's latest GroupInfo", async () => {
    const r = await bob.call<{ groupInfo: string }>('GET', `/api/v1/groups/${gid}/info`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(fromBase64Url(r.body.groupInfo), groupInfo);
  });

  test('a device of the follower that is not in the group is refused by its own server', async () => {
    for (const path of [`/api/v1/groups/${gid}`, `/api/v1/groups/${gid}/info`]) {
      const r = await bert.call<ErrorBody>('GET', path);
      assert.equal(r.status, 403, path);
      assert.equal(r.body.error?.code, 'not_member');
    }
  });

  test('the hub refuses an instance with no device in the group, and an unknown group', async () => {
    const ask = async (path: string) => {
      const headers = signRequest({
        method: 'GET',
        origin: C,
        target: A,
        path,
        body: new Uint8Array(),
        signer: signerOf(stranger.key.privateKey),
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      const res = await fetch(`${hub.url}${path}`, { headers: { ...headers } });
      return { status: res.status, body: (await res.json()) as ErrorBody };
    };
    const other = toBase64Url(randomBytes(16));
    for (const path of [
      `/federation/v1/groups/${gid}`,
      `/federation/v1/groups/${gid}/info`,
      `/federation/v1/groups/${other}`,
    ]) {
      const r = await ask(path);
      assert.equal(r.status, 403, path);
      assert.equal(r.body.error?.code, 'not_member');
    }
    const bad = await ask('/federation/v1/groups/not-a-group-id');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.code, 'bad_request');
  });

  test('a group the follower knows no hub for is not_member; a hub that is down is peer_unreachable', async () => {
    const unknown = await bob.call<ErrorBody>(
      'GET',
      `/api/v1/groups/${toBase64Url(randomBytes(16))}`,
    );
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body.error?.code, 'not_member');
    await hub.stop();
    for (const path of [`/api/v1/groups/${gid}`, `/api/v1/groups/${gid}/info`]) {
      const r = await bob.call<ErrorBody>('GET', path);
      assert.equal(r.status, 502, path);
      assert.equal(r.body.error?.code, 'peer_unreachable');
      assert.equal(r.body.error?.details?.['domain'], A);
    }
  });
});
