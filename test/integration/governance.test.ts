/**
 * Group governance at the hub, on a real server process with real MLS messages: commits the
 * group policy forbids are refused with `forbidden_by_policy` before anyone sees them, a
 * carried ban stops delivery to the banned device and must be followed by its removal, and
 * the banned cannot be added back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiDevice } from '../helpers/apiDevice.ts';
import {
  createInvite,
  removeDir,
  startServerProcess,
  type ServerProcess,
} from '../helpers/server.ts';
import {
  addMembers,
  bannedLeaves,
  commitPolicy,
  createGroup,
  encryptMessage,
  groupInfoOf,
  joinFromWelcome,
  membersOf,
  policyOf,
  processMessage,
  removeMembers,
  welcomeKeyPackageRefs,
  type Group,
} from '../../src/shared/mls/group.ts';
import {
  addProposals,
  removeProposals,
  unsafeUncheckedCommit,
} from '../../src/shared/mls/testing.ts';
import { encodePolicy } from '../../src/shared/governance/policyCodec.ts';
import { POLICY_EXTENSION_TYPE } from '../../src/shared/governance/policy.ts';
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from '../../src/shared/protocol/bytes.ts';
import type { Proposal } from 'ts-mls';
import type { ClaimedKeyPackages } from '../../src/shared/protocol/api.ts';
import { decodeCredential } from '../../src/shared/protocol/credential.ts';

type ErrorBody = { error: { code: string; details?: { rule?: string } } };
const msgId = (): string => toBase64Url(randomBytes(16));
const TAG = Date.now().toString(36);

/** A commit built as a modified client would, without Foyer's own policy check. */
function unchecked(
  g: Group,
  proposals: Proposal[],
  d: ApiDevice,
): Promise<{ commit: Uint8Array; welcome?: Uint8Array }> {
  return unsafeUncheckedCommit(g, proposals, { trust: d.trust });
}

describe('group governance at the hub', () => {
  let server: ServerProcess;
  let alice: ApiDevice;
  let bob: ApiDevice;
  let carol: ApiDevice;
  let dave: ApiDevice;
  let eve: ApiDevice;
  const groupId = randomBytes(16);
  const gid = toBase64Url(groupId);
  const groups = new Map<ApiDevice, Group>();
  let domain = '';

  async function submit(d: ApiDevice, out: { commit: Uint8Array; welcome?: Uint8Array }) {
    return d.call<ErrorBody & { epoch: number }>('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(out.commit),
      ...(out.welcome === undefined ? {} : { welcome: toBase64Url(out.welcome) }),
    });
  }

  /** Processes and acknowledges everything waiting for `d`; returns how many items. */
  async function drain(d: ApiDevice): Promise<number> {
    const items = await d.mailbox();
    let g = groups.get(d)!;
    for (const item of items) {
      if (item.kind !== 'message') continue;
      g = (await processMessage(g, fromBase64Url(item.payload)!, { trust: d.trust })).group;
    }
    groups.set(d, g);
    if (items.length > 0) await d.call('POST', '/api/v1/mailbox/ack', { upTo: items.at(-1)!.seq });
    return items.length;
  }

  function refused(r: { status: number; body: ErrorBody }, rule: string): void {
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'forbidden_by_policy');
    assert.equal(r.body.error.details?.rule, rule);
  }

  async function epoch(): Promise<number> {
    return (await alice.call<{ epoch: number }>('GET', `/api/v1/groups/${gid}`)).body.epoch;
  }

  before(async () => {
    server = await startServerProcess();
    alice = await ApiDevice.register(server.url, server.adminInvite, `alice-${TAG}`);
    bob = await ApiDevice.register(server.url, createInvite(server.dataDir), `bob-${TAG}`);
    carol = await ApiDevice.register(server.url, createInvite(server.dataDir), `carol-${TAG}`);
    dave = await ApiDevice.register(server.url, createInvite(server.dataDir), `dave-${TAG}`);
    eve = await ApiDevice.register(server.url, createInvite(server.dataDir), `eve-${TAG}`);
    domain = decodeCredential(alice.credential).domain;
    for (const d of [bob, carol, dave, eve])
      assert.equal((await d.uploadKeyPackages(3)).status, 200);
  });

  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('a group whose first policy names another admin than its creator is refused', async () => {
    const forged = await createGroup(randomBytes(16), bob.keys, { trust: bob.trust });
    const r = await alice.call<ErrorBody>('POST', '/api/v1/groups', {
      groupId: toBase64Url(forged.state.groupContext.groupId),
      groupInfo: toBase64Url(await groupInfoOf(forged)),
    });
    refused(r, 'initial_policy');
  });

  test('the creator, its only admin, adds three people', async () => {
    let g = await createGroup(groupId, alice.keys, { trust: alice.trust });
    const created = await alice.call('POST', '/api/v1/groups', {
      groupId: gid,
      groupInfo: toBase64Url(await groupInfoOf(g)),
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const kps: Uint8Array[] = [];
    for (const d of [bob, carol, dave]) {
      const c = await alice.call<ClaimedKeyPackages>('POST', `/api/v1/users/${d.name}/keypackages`);
      kps.push(fromBase64Url(c.body.keyPackages[0]!.keyPackage)!);
    }
    const out = await addMembers(g, kps, { trust: alice.trust });
    assert.equal((await submit(alice, out)).status, 200);
    g = out.group;
    groups.set(alice, g);
    for (const d of [bob, carol, dave]) {
      const items = await d.mailbox();
      const w = fromBase64Url(items.find((i) => i.kind === 'welcome')!.payload)!;
      const kp = d.keyPackageFor(welcomeKeyPackageRefs(w));
      groups.set(d, await joinFromWelcome(w, kp, { trust: d.trust }));
      await d.call('POST', '/api/v1/mailbox/ack', { upTo: items.at(-1)!.seq });
    }
    assert.deepEqual(policyOf(groups.get(dave)!)?.admins, [`alice-${TAG}@${domain}`]);
  });

  test('a member’s removal of another, self-promotion and add are refused; nobody sees them', async () => {
    const before = await epoch();
    const bobGroup = groups.get(bob)!;
    const carolLeaf = membersOf(bobGroup).find((m) => m.credential.user === carol.name)!.leaf;
    refused(
      await submit(bob, await unchecked(bobGroup, removeProposals([carolLeaf]), bob)),
      'remove_forbidden',
    );

    const p = policyOf(bobGroup)!;
    const forged = encodePolicy({
      ...p,
      admins: [...p.admins, `bob-${TAG}@${domain}`].sort(),
      last: { action: { t: 'prune' }, by: `bob-${TAG}@${domain}`, resolved: [] },
    });
    const { commit: made } = await unchecked(
      bobGroup,
      [
        {
          proposalType: 'group_context_extensions',
          groupContextExtensions: {
            extensions: [{ extensionType: POLICY_EXTENSION_TYPE, extensionData: forged }],
          },
        },
      ],
      bob,
    );
    refused(await submit(bob, { commit: made }), 'policy_mismatch');

    const c = await bob.call<ClaimedKeyPackages>('POST', `/api/v1/users/${eve.name}/keypackages`);
    const evePackage = fromBase64Url(c.body.keyPackages[0]!.keyPackage)!;
    refused(
      await submit(bob, await unchecked(bobGroup, addProposals([evePackage]), bob)),
      'add_forbidden',
    );

    assert.equal(await epoch(), before, 'the group did not move');
    for (const d of [alice, carol, dave]) assert.equal(await drain(d), 0, 'nothing was delivered');
  });

  test('the lone admin bans Dave: no more messages reach him, his leaves must go first, he cannot come back', async () => {
    const daveId = `dave-${TAG}@${domain}`;
    const ban = await commitPolicy(
      groups.get(alice)!,
      { t: 'vote', kind: 'ban', target: { identity: daveId } },
      { trust: alice.trust },
    );
    assert.equal((await submit(alice, ban)).status, 200);
    groups.set(alice, ban.group);
    for (const d of [bob, carol, dave]) await drain(d);
    assert.deepEqual(policyOf(groups.get(carol)!)?.bannedIdentities, [daveId]);

    // An application message from Carol reaches Bob, not Dave.
    const sent = await encryptMessage(groups.get(carol)!, utf8('not for dave'), {
      trust: carol.trust,
    });
    groups.set(carol, sent.group);
    const r = await carol.call('POST', `/api/v1/groups/${gid}/messages`, {
      id: msgId(),
      message: toBase64Url(sent.message),
    });
    assert.equal(r.status, 200);
    assert.equal((await bob.mailbox()).length, 1);
    assert.equal((await dave.mailbox()).length, 0, 'a banned device gets no message');
    await drain(bob);

    // Any commit but the removal of the banned leaves is refused.
    refused(await submit(bob, await unchecked(groups.get(bob)!, [], bob)), 'banned_remains');
    const removal = await removeMembers(groups.get(bob)!, bannedLeaves(groups.get(bob)!), {
      trust: bob.trust,
    });
    assert.equal((await submit(bob, removal)).status, 200);
    groups.set(bob, removal.group);
    const daveItems = await dave.mailbox();
    const seen = await processMessage(groups.get(dave)!, fromBase64Url(daveItems[0]!.payload)!, {
      trust: dave.trust,
    });
    assert.ok(seen.kind === 'commit' && seen.removedSelf, 'Dave sees that he was removed');
    await drain(alice);
    await drain(carol);

    const c = await alice.call<ClaimedKeyPackages>(
      'POST',
      `/api/v1/users/${dave.name}/keypackages`,
    );
    const readd = addProposals([fromBase64Url(c.body.keyPackages[0]!.keyPackage)!]);
    refused(await submit(alice, await unchecked(groups.get(alice)!, readd, alice)), 'banned');
  });

  test('the hub forgets a group only once nobody but the asking user is left', async () => {
    const r = await alice.call<ErrorBody>('DELETE', `/api/v1/groups/${gid}`);
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'forbidden');
    const lone = randomBytes(16);
    const loneId = toBase64Url(lone);
    const g = await createGroup(lone, carol.keys, { trust: carol.trust });
    const made = await carol.call('POST', '/api/v1/groups', {
      groupId: loneId,
      groupInfo: toBase64Url(await groupInfoOf(g)),
    });
    assert.equal(made.status, 200);
    assert.equal((await carol.call('DELETE', `/api/v1/groups/${loneId}`)).status, 200);
    const gone = await carol.call<ErrorBody>('GET', `/api/v1/groups/${loneId}`);
    assert.equal(gone.body.error.code, 'not_member');
    // The group id is free again: creating it anew starts from epoch 0.
    const again = await carol.call<{ epoch: number }>('POST', '/api/v1/groups', {
      groupId: loneId,
    });
    assert.equal(again.body.epoch, 0);
  });
});
