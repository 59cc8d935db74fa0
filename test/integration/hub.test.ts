/**
 * The server as a real process: registration, key packages, a three-device MLS group with
 * competing commits, fan-out, acknowledgement, WebSocket push — with real MLS messages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiDevice } from '../helpers/apiDevice.ts';
import {
  createInvite,
  filesContaining,
  removeDir,
  runFoyer,
  startServerProcess,
  type ServerProcess,
} from '../helpers/server.ts';
import {
  addMembers,
  createGroup,
  encryptMessage,
  joinFromWelcome,
  processMessage,
  selfUpdate,
  welcomeKeyPackageRefs,
  type Group,
} from '../../src/shared/mls/group.ts';
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from '../../src/shared/protocol/bytes.ts';
import { createKeyPackage } from '../../src/shared/mls/keyPackages.ts';
import { makeTestIdentity, makeTestInstance } from '../../src/shared/mls/testing.ts';
import type { TrustStore } from '../../src/shared/mls/trust.ts';
import type { ClaimedKeyPackages, MailboxItem } from '../../src/shared/protocol/api.ts';

type ErrorBody = { error: { code: string } };

const MARKER = `marker${Date.now().toString(36)}`;
const msgId = (): string => toBase64Url(randomBytes(16));

describe('hub and mailboxes on a real server', () => {
  let server: ServerProcess;
  let alice: ApiDevice;
  let bob: ApiDevice;
  let carol: ApiDevice;
  const groupId = randomBytes(16);
  const gid = toBase64Url(groupId);
  const groups = new Map<ApiDevice, Group>();

  before(async () => {
    server = await startServerProcess({ env: { FOYER_LOG_LEVEL: 'trace' } });
    alice = await ApiDevice.register(server.url, server.adminInvite, `alice-${MARKER}`);
    bob = await ApiDevice.register(server.url, createInvite(server.dataDir), `bob-${MARKER}`);
    carol = await ApiDevice.register(server.url, createInvite(server.dataDir), `carol-${MARKER}`);
  });

  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('an invite works once', async () => {
    const d = new ApiDevice(server.url);
    const r = await d.call('POST', '/api/v1/accounts', {
      invite: server.adminInvite,
      name: 'mallory',
      device: {
        id: d.id,
        signatureKey: toBase64Url(randomBytes(32)),
        identityKey: toBase64Url(randomBytes(32)),
        identitySignature: toBase64Url(randomBytes(64)),
      },
    });
    // The used invite is checked first: same answer whatever the rest of the request holds.
    assert.equal(r.status, 410, JSON.stringify(r.body));
    const again = await ApiDevice.register(server.url, server.adminInvite, 'mallory').catch(
      (e: Error) => e,
    );
    assert.ok(
      again instanceof Error && /invite_invalid/.test(again.message),
      'the used invite was accepted',
    );
  });

  test('key packages are consumed once; the uploader must own them', async () => {
    for (const d of [bob, carol]) assert.equal((await d.uploadKeyPackages(2)).status, 200);
    const count = await bob.call<{ available: number }>('GET', '/api/v1/keypackages');
    assert.equal(count.body.available, 2);
    // Alice gets hold of a package Bob made and never uploaded, and stocks it as hers.
    const unsent = await createKeyPackage(bob.keys, bob.trust);
    const stolen = await alice.call<ErrorBody>('POST', '/api/v1/keypackages', {
      keyPackages: [toBase64Url(unsent.publicPackage)],
    });
    assert.equal(stolen.status, 403, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error.code, 'forbidden');
    assert.equal(
      (await alice.call<{ available: number }>('GET', '/api/v1/keypackages')).body.available,
      0,
    );
    // Nobody claims without a session of their own.
    const anonymous = await new ApiDevice(server.url).call(
      'POST',
      `/api/v1/users/${bob.name}/keypackages`,
    );
    assert.equal(anonymous.status, 401);
    assert.equal(
      (await bob.call<{ available: number }>('GET', '/api/v1/keypackages')).body.available,
      2,
    );
    // Alice claims one of Bob's packages, then tries to upload it as hers.
    const claimed = await alice.call<ClaimedKeyPackages>(
      'POST',
      `/api/v1/users/${bob.name}/keypackages`,
    );
    assert.equal(claimed.body.keyPackages.length, 1);
    const forged = await alice.call('POST', '/api/v1/keypackages', {
      keyPackages: [claimed.body.keyPackages[0]!.keyPackage],
    });
    assert.equal(forged.status, 403);
    assert.equal(
      (await alice.call<{ available: number }>('GET', '/api/v1/keypackages')).body.available,
      0,
    );
    assert.equal(
      (await bob.call<{ available: number }>('GET', '/api/v1/keypackages')).body.available,
      1,
    );
  });

  test('the creator adds two devices; the hub sends each its Welcome', async () => {
    const created = await alice.call('POST', '/api/v1/groups', { groupId: gid });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    let g = await createGroup(groupId, alice.keys, { trust: alice.trust });
    const kps: Uint8Array[] = [];
    for (const d of [bob, carol]) {
      const c = await alice.call<ClaimedKeyPackages>('POST', `/api/v1/users/${d.name}/keypackages`);
      kps.push(fromBase64Url(c.body.keyPackages[0]!.keyPackage)!);
    }
    const out = await addMembers(g, kps, { trust: alice.trust });
    const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(out.commit),
      welcome: toBase64Url(out.welcome),
      groupInfo: toBase64Url(out.groupInfo),
    });
    assert.deepEqual(r.body, { epoch: 1, duplicate: false });
    g = out.group;
    groups.set(alice, g);
    for (const d of [bob, carol]) {
      const items = await d.mailbox();
      const welcome = items.find((i) => i.kind === 'welcome');
      assert.ok(welcome, 'welcome delivered');
      const w = fromBase64Url(welcome.payload)!;
      groups.set(
        d,
        await joinFromWelcome(w, d.keyPackageFor(welcomeKeyPackageRefs(w)), { trust: d.trust }),
      );
      await d.call('POST', '/api/v1/mailbox/ack', { upTo: items.at(-1)!.seq });
    }
    const status = await carol.call<{ epoch: number; members: unknown[] }>(
      'GET',
      `/api/v1/groups/${gid}`,
    );
    assert.equal(status.body.epoch, 1);
    assert.equal(status.body.members.length, 3);
  });

  test('two competing commits for one epoch: the first wins, the second gets wrong_epoch', async () => {
    const b = await selfUpdate(groups.get(bob)!, { trust: bob.trust });
    const c = await selfUpdate(groups.get(carol)!, { trust: carol.trust });
    const [rb, rc] = await Promise.all([
      bob.call('POST', `/api/v1/groups/${gid}/messages`, {
        id: msgId(),
        message: toBase64Url(b.commit),
      }),
      carol.call('POST', `/api/v1/groups/${gid}/messages`, {
        id: msgId(),
        message: toBase64Url(c.commit),
      }),
    ]);
    const results = [rb, rc].map((r) => r.status).sort();
    assert.deepEqual(results, [200, 409]);
    const loser = rb.status === 409 ? rb : rc;
    assert.equal((loser.body as { error: { code: string } }).error.code, 'wrong_epoch');
    assert.equal((loser.body as { error: { details: { epoch: number } } }).error.details.epoch, 2);
    // Everyone else processes the winning commit and lands in the same epoch.
    const [winner, winnerOut] = rb.status === 200 ? [bob, b] : [carol, c];
    groups.set(winner, winnerOut.group);
    for (const d of [alice, bob, carol].filter((x) => x !== winner)) {
      const items = await d.mailbox();
      let g = groups.get(d)!;
      for (const item of items) {
        const p = await processMessage(g, fromBase64Url(item.payload)!, { trust: d.trust });
        g = p.group;
      }
      groups.set(d, g);
      await d.call('POST', '/api/v1/mailbox/ack', { upTo: items.at(-1)!.seq });
    }
    const status = await alice.call<{ epoch: number }>('GET', `/api/v1/groups/${gid}`);
    assert.equal(status.body.epoch, 2);
  });

  test('an application message fans out to every member but the sender, over WebSocket too', async () => {
    const bobSocket = await bob.socket();
    const out = await encryptMessage(groups.get(alice)!, utf8(`hello ${MARKER}`), {
      trust: alice.trust,
    });
    groups.set(alice, out.group);
    const id = msgId();
    const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
      id,
      message: toBase64Url(out.message),
    });
    assert.equal(r.status, 200);
    const [pushed] = await bobSocket.untilItems(1);
    assert.equal(pushed!.id, id);
    const p = await processMessage(groups.get(bob)!, fromBase64Url(pushed!.payload)!, {
      trust: bob.trust,
    });
    assert.equal(p.kind, 'application');
    assert.equal(
      new TextDecoder().decode(p.kind === 'application' ? p.plaintext : new Uint8Array()),
      `hello ${MARKER}`,
    );
    const carolItems = await carol.mailbox();
    assert.deepEqual(
      carolItems.map((i: MailboxItem) => i.id),
      [id],
    );
    assert.deepEqual(await alice.mailbox(), [], 'the sender gets no copy');

    // A retried submission is not delivered twice.
    const again = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
      id,
      message: toBase64Url(out.message),
    });
    assert.deepEqual(again.body, { epoch: 2, duplicate: true });
    assert.equal((await carol.mailbox()).length, 1);

    // Ack over the socket deletes; ack over HTTP deletes.
    bobSocket.send({ op: 'ack', upTo: pushed!.seq });
    await carol.call('POST', '/api/v1/mailbox/ack', { upTo: carolItems[0]!.seq });
    assert.deepEqual(await carol.mailbox(), []);
    bobSocket.send({ op: 'ping' });
    await bobSocket.next((f) => f.op === 'pong'); // frames are handled in order: the ack is done
    assert.deepEqual(await bob.mailbox(), []);
    bobSocket.close();
  });

  test('a commit adding a device of a denied instance is refused with federation_unavailable', async () => {
    // Federation is open by default: only an instance the administrator denied is unreachable.
    const denied = await runFoyer([
      'federation',
      'deny',
      'chez-bob.example',
      '--data',
      server.dataDir,
    ]);
    assert.equal(denied.code, 0, denied.stderr);
    const elsewhere = await makeTestInstance('chez-bob.example');
    const remote = await makeTestIdentity({
      user: 'bob',
      domain: elsewhere.domain,
      instanceKey: elsewhere.key,
    });
    // Alice's client trusts both instances: only the server stands in the way.
    const trust: TrustStore = {
      instanceKeys: async (domain) => [
        domain === elsewhere.domain ? elsewhere.key.publicKey : alice.instanceKey,
      ],
      acceptIdentity: async () => true,
    };
    const kp = (await createKeyPackage(remote.me, trust)).publicPackage;
    const before = await alice.call<{ epoch: number; members: unknown[] }>(
      'GET',
      `/api/v1/groups/${gid}`,
    );
    const out = await addMembers(groups.get(alice)!, [kp], { trust });
    const r = await alice.call<{ error: { code: string; details: unknown } }>(
      'POST',
      `/api/v1/groups/${gid}/messages`,
      { id: msgId(), message: toBase64Url(out.commit), welcome: toBase64Url(out.welcome) },
    );
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'federation_unavailable');
    assert.deepEqual(r.body.error.details, { domain: 'chez-bob.example' });
    const after = await alice.call<{ epoch: number; members: unknown[] }>(
      'GET',
      `/api/v1/groups/${gid}`,
    );
    assert.deepEqual(after.body, before.body, 'the group did not change');
    assert.deepEqual(await carol.mailbox(), [], 'nothing was delivered');
  });

  test('a device outside the group cannot submit nor read its status', async () => {
    const dave = await ApiDevice.register(server.url, createInvite(server.dataDir), 'dave');
    const out = await encryptMessage(groups.get(alice)!, utf8('x'), { trust: alice.trust });
    const r = await dave.call('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(out.message),
    });
    assert.equal(r.status, 403);
    assert.equal((r.body as { error: { code: string } }).error.code, 'not_member');
    assert.equal((await dave.call('GET', `/api/v1/groups/${gid}`)).status, 403);
  });

  test('no user name or message text is readable in the data folder', async () => {
    const hits = filesContaining(server.dataDir, [MARKER, 'alice-', 'SQLite format 3']);
    assert.deepEqual(hits, []);
  });

  test('the server log names no user, device or group by default', () => {
    const log = server.output();
    assert.ok(log.length > 0);
    for (const secret of [MARKER, alice.id, bob.id, carol.id, gid]) {
      assert.ok(!log.includes(secret), 'an identifier reached the log');
    }
  });
});
