/**
 * The group policy inside MLS: a hostile member's forbidden commits, built with the MLS
 * library directly (as a modified client would) and handed straight to the other members'
 * processing, are refused by each of them with their state unchanged; allowed policy
 * commits are accepted by all.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Proposal } from 'ts-mls';
import { utf8 } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import { encodePolicy } from '../governance/policyCodec.ts';
import { POLICY_EXTENSION_TYPE } from '../governance/policy.ts';
import {
  addMembers,
  commitPolicy,
  createGroup,
  epochOf,
  isRemoved,
  joinFromWelcome,
  membersOf,
  policyOf,
  processMessage,
  removeMembers,
  selfUpdate,
  bannedLeaves,
  type Group,
  type GroupContextDeps,
} from './group.ts';
import { createKeyPackage } from './keyPackages.ts';
import {
  addProposals,
  makeTestHousehold,
  removeProposals,
  unsafeUncheckedCommit,
  type TestIdentity,
} from './testing.ts';

async function household() {
  const h = await makeTestHousehold(['alice', 'bob', 'carol', 'dave', 'eve']);
  const deps: GroupContextDeps = { trust: h.trust };
  const [a, b, c, d, e] = h.devices as [
    TestIdentity,
    TestIdentity,
    TestIdentity,
    TestIdentity,
    TestIdentity,
  ];
  const created = await createGroup(utf8('governed'), a.me, deps);
  const kps = await Promise.all([b, c, d].map((x) => createKeyPackage(x.me, h.trust)));
  const add = await addMembers(
    created,
    kps.map((k) => k.publicPackage),
    deps,
  );
  const [bob, carol, dave] = await Promise.all(
    kps.map((k) => joinFromWelcome(add.welcome, k, deps)),
  );
  return {
    h,
    deps,
    ids: { a, b, c, d, e },
    alice: add.group,
    bob: bob!,
    carol: carol!,
    dave: dave!,
  };
}

async function hostileCommit(g: Group, proposals: Proposal[], deps: GroupContextDeps) {
  return (await unsafeUncheckedCommit(g, proposals, deps)).commit;
}

async function refusedByAll(
  groups: Group[],
  commit: Uint8Array,
  deps: GroupContextDeps,
  rule: string,
): Promise<void> {
  for (const g of groups) {
    const epoch = epochOf(g);
    await assert.rejects(processMessage(g, commit, deps), (err: unknown) => {
      assert.ok(err instanceof FoyerError, String(err));
      assert.equal(err.code, 'forbidden_by_policy', err.message);
      assert.equal(err.details?.['rule'], rule, err.message);
      return true;
    });
    assert.equal(epochOf(g), epoch, 'the state stays at the previous epoch');
  }
}

test('the creator is the group policy’s only admin', async () => {
  const { alice, bob } = await household();
  assert.deepEqual(policyOf(alice)?.admins, ['alice@maison.example']);
  assert.deepEqual(policyOf(bob), policyOf(alice));
});

test('a member removing another is refused by every other member', async () => {
  const { deps, alice, bob, carol, dave } = await household();
  const carolLeaf = membersOf(bob).find((m) => m.credential.user === 'carol')!.leaf;
  await assert.rejects(removeMembers(bob, [carolLeaf], deps), { code: 'forbidden_by_policy' });
  const forbidden = await hostileCommit(bob, removeProposals([carolLeaf]), deps);
  await refusedByAll([alice, carol, dave], forbidden, deps, 'remove_forbidden');
  // The group goes on: the admin's own removal of Carol is accepted by the others.
  const allowed = await removeMembers(alice, [carolLeaf], deps);
  for (const g of [bob, dave]) {
    const p = await processMessage(g, allowed.commit, deps);
    assert.equal(p.kind, 'commit');
  }
  const carolSees = await processMessage(carol, allowed.commit, deps);
  assert.ok(carolSees.kind === 'commit' && carolSees.removedSelf);
});

test('a member adding someone, or forging the policy, is refused by every other member', async () => {
  const { h, deps, ids, alice, bob, carol, dave } = await household();
  const newDevice = await createKeyPackage(ids.e.me, h.trust);
  const add = await hostileCommit(bob, addProposals([newDevice.publicPackage]), deps);
  await refusedByAll([alice, carol], add, deps, 'add_forbidden');

  const current = policyOf(bob)!;
  const forged = encodePolicy({
    ...current,
    admins: ['alice@maison.example', 'bob@maison.example'],
    last: { action: { t: 'prune' }, by: 'bob@maison.example', resolved: [] },
  });
  const selfPromotion = await hostileCommit(
    bob,
    [
      {
        proposalType: 'group_context_extensions',
        groupContextExtensions: {
          extensions: [{ extensionType: POLICY_EXTENSION_TYPE, extensionData: forged }],
        },
      },
    ],
    deps,
  );
  await refusedByAll([alice, carol, dave], selfPromotion, deps, 'policy_mismatch');
  // Even an honestly computed promotion is refused when a member makes it.
  await assert.rejects(commitPolicy(bob, { t: 'promote', identity: 'bob@maison.example' }, deps), {
    code: 'forbidden_by_policy',
  });
});

test('a ban vote by the lone admin removes every leaf, and the banned cannot be re-added', async () => {
  const { h, deps, ids, alice, bob, carol, dave } = await household();
  // Members may add in this group, so the re-add below is refused for the ban alone.
  const open = await commitPolicy(
    alice,
    { t: 'permissions', addMembers: 'members', editProfile: 'admins' },
    deps,
  );
  const bob1 = await processMessage(bob, open.commit, deps);
  const carol1 = await processMessage(carol, open.commit, deps);
  const dave1 = await processMessage(dave, open.commit, deps);
  assert.equal(policyOf(bob1.group)?.addMembers, 'members');

  const ban = await commitPolicy(
    open.group,
    { t: 'vote', target: { identity: 'carol@maison.example' }, kind: 'ban' },
    deps,
  );
  const bob2 = await processMessage(bob1.group, ban.commit, deps);
  assert.deepEqual(policyOf(bob2.group)?.bannedIdentities, ['carol@maison.example']);
  assert.deepEqual(policyOf(bob2.group)?.last.resolved[0]?.voters, ['alice@maison.example']);
  const carol2 = await processMessage(carol1.group, ban.commit, deps);
  const dave2 = await processMessage(dave1.group, ban.commit, deps);
  // Until the banned leaves are removed, any other commit is refused: a self-update would
  // hand Carol the next epoch's keys.
  await assert.rejects(selfUpdate(bob2.group, deps), { code: 'forbidden_by_policy' });
  const early = await hostileCommit(bob2.group, [], deps);
  await refusedByAll([ban.group, dave2.group], early, deps, 'banned_remains');
  const leaves = bannedLeaves(ban.group);
  assert.equal(leaves.length, 1);
  // Anyone may remove a banned leaf: here a plain member does it.
  const removal = await removeMembers(bob2.group, bannedLeaves(bob2.group), deps);
  const carolSees = await processMessage(carol2.group, removal.commit, deps);
  assert.ok(carolSees.kind === 'commit' && carolSees.removedSelf && isRemoved(carolSees.group));
  const aliceSees = await processMessage(ban.group, removal.commit, deps);
  const daveSees = await processMessage(dave2.group, removal.commit, deps);
  const bobSees = { group: removal.group };

  const carolAgain = await createKeyPackage(ids.c.me, h.trust);
  await assert.rejects(addMembers(bobSees.group, [carolAgain.publicPackage], deps), {
    code: 'forbidden_by_policy',
  });
  const readd = await hostileCommit(bobSees.group, addProposals([carolAgain.publicPackage]), deps);
  await refusedByAll([aliceSees.group, daveSees.group], readd, deps, 'banned');
});
