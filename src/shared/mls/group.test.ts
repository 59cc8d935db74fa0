import assert from 'node:assert/strict';
import { test } from 'node:test';
import { equalBytes, utf8 } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import {
  addMembers,
  createGroup,
  encodeGroup,
  encryptMessage,
  epochOf,
  groupIdOf,
  groupInfoOf,
  isRemoved,
  joinExternal,
  joinFromWelcome,
  membersOf,
  myLeafOf,
  processMessage,
  removeMembers,
  selfUpdate,
  welcomeKeyPackageRefs,
  type Group,
  type GroupContextDeps,
} from './group.ts';
import { createKeyPackage } from './keyPackages.ts';
import { makeTestHousehold, type TestIdentity } from './testing.ts';

const text = new TextDecoder();

async function familyGroup() {
  const h = await makeTestHousehold(['alice', 'bob', 'carol', 'dave']);
  const deps: GroupContextDeps = { trust: h.trust };
  const [a, b, c, d] = h.devices as [TestIdentity, TestIdentity, TestIdentity, TestIdentity];
  const created = await createGroup(utf8('family'), a.me, deps);
  const bobKp = await createKeyPackage(b.me, h.trust);
  const carolKp = await createKeyPackage(c.me, h.trust);
  const add = await addMembers(created, [bobKp.publicPackage, carolKp.publicPackage], deps);
  const bob = await joinFromWelcome(add.welcome, bobKp, deps);
  const carol = await joinFromWelcome(add.welcome, carolKp, deps);
  return {
    h,
    deps,
    ids: { a, b, c, d },
    created,
    add,
    bobKp,
    carolKp,
    alice: add.group,
    bob,
    carol,
  };
}

async function expectApplication(g: Group, message: Uint8Array, deps: GroupContextDeps) {
  const p = await processMessage(g, message, deps);
  assert.equal(p.kind, 'application');
  return p;
}

async function expectCommit(g: Group, message: Uint8Array, deps: GroupContextDeps) {
  const p = await processMessage(g, message, deps);
  assert.equal(p.kind, 'commit');
  return p;
}

async function rejectsWith(promise: Promise<unknown>, code: string, reason?: string) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof FoyerError, `expected FoyerError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (reason !== undefined) assert.equal(err.details?.['reason'], reason, err.message);
    return true;
  });
}

test('aliceAddsBobAndCarolToFamilyGroup and everyone talks', async () => {
  const { deps, ids, created, add, bobKp, carolKp, alice, bob, carol } = await familyGroup();
  assert.equal(epochOf(created), 0);
  assert.equal(add.epoch, 0, 'commit output names the epoch it was made in');
  assert.deepEqual(new Set(welcomeKeyPackageRefs(add.welcome)), new Set([bobKp.ref, carolKp.ref]));
  for (const g of [alice, bob, carol]) {
    assert.equal(epochOf(g), 1);
    assert.ok(equalBytes(groupIdOf(g), utf8('family')));
    assert.deepEqual(
      membersOf(g).map((m) => [m.leaf, m.credential.user]),
      [
        [0, 'alice'],
        [1, 'bob'],
        [2, 'carol'],
      ],
    );
  }
  assert.deepEqual([myLeafOf(alice), myLeafOf(bob), myLeafOf(carol)], [0, 1, 2]);

  let groups = { alice, bob, carol };
  const names = ['alice', 'bob', 'carol'] as const;
  for (const from of names) {
    const sent = await encryptMessage(groups[from], utf8(`hello from ${from}`), deps);
    groups = { ...groups, [from]: sent.group };
    for (const to of names.filter((n) => n !== from)) {
      const got = await expectApplication(groups[to], sent.message, deps);
      groups = { ...groups, [to]: got.group };
      assert.equal(text.decode(got.plaintext), `hello from ${from}`);
      assert.equal(got.sender.user, from);
      assert.equal(got.senderLeaf, names.indexOf(from));
      assert.equal(got.epoch, 1);
    }
  }
  // The sender's devices are identified by their credential, not only by user name.
  const last = await encryptMessage(groups.carol, utf8('x'), deps);
  const got = await expectApplication(groups.alice, last.message, deps);
  assert.ok(equalBytes(got.sender.deviceKey, ids.c.device.publicKey));
  // A replay, or a single flipped ciphertext bit, is refused.
  await rejectsWith(processMessage(got.group, last.message, deps), 'crypto_failed', 'invalid');
  const tampered = last.message.slice();
  tampered[tampered.length - 1]! ^= 1;
  await rejectsWith(processMessage(groups.bob, tampered, deps), 'crypto_failed', 'invalid');
});

test('a removed member sees removedSelf and cannot read or send later messages', async () => {
  const { deps, alice, bob, carol } = await familyGroup();
  const removal = await removeMembers(alice, [2], deps);
  assert.equal(removal.epoch, 1);

  const atBob = await expectCommit(bob, removal.commit, deps);
  assert.equal(atBob.epoch, 2);
  assert.equal(atBob.removedSelf, false);
  assert.deepEqual(
    atBob.removed.map((c) => c.user),
    ['carol'],
  );
  assert.deepEqual(atBob.added, []);
  assert.equal(atBob.committer.user, 'alice');
  assert.deepEqual(
    membersOf(atBob.group).map((m) => m.credential.user),
    ['alice', 'bob'],
  );

  const atCarol = await expectCommit(carol, removal.commit, deps);
  assert.equal(atCarol.removedSelf, true);
  assert.ok(isRemoved(atCarol.group));
  assert.equal(isRemoved(carol), false, 'the old state is untouched');

  const later = await encryptMessage(removal.group, utf8('carol is gone'), deps);
  const atBob2 = await expectApplication(atBob.group, later.message, deps);
  assert.equal(text.decode(atBob2.plaintext), 'carol is gone');
  await rejectsWith(processMessage(atCarol.group, later.message, deps), 'crypto_failed', 'removed');
  // Even with the pre-removal state Carol lacks the new epoch's keys.
  await rejectsWith(processMessage(carol, later.message, deps), 'crypto_failed', 'future_epoch');
  await rejectsWith(encryptMessage(atCarol.group, utf8('x'), deps), 'not_member');
  await rejectsWith(selfUpdate(atCarol.group, deps), 'not_member');
});

test('selfUpdate gives the committer new leaf keys and the group keeps talking', async () => {
  const { deps, alice, bob, carol } = await familyGroup();
  const leafKey = (g: Group, leaf: number) => {
    const node = g.state.ratchetTree[leaf * 2];
    assert.ok(node?.nodeType === 'leaf');
    return node.leaf.hpkePublicKey;
  };
  const update = await selfUpdate(bob, deps);
  assert.equal(update.epoch, 1);
  assert.equal(epochOf(update.group), 2);
  assert.ok(!equalBytes(leafKey(update.group, 1), leafKey(bob, 1)), 'bob has a new leaf key');

  const atAlice = await expectCommit(alice, update.commit, deps);
  const atCarol = await expectCommit(carol, update.commit, deps);
  assert.equal(atAlice.epoch, 2);
  assert.equal(atAlice.committer.user, 'bob');
  assert.deepEqual([atAlice.added, atAlice.removed], [[], []]);
  assert.ok(equalBytes(leafKey(atAlice.group, 1), leafKey(update.group, 1)));

  const sent = await encryptMessage(update.group, utf8('after update'), deps);
  assert.equal(
    text.decode((await expectApplication(atAlice.group, sent.message, deps)).plaintext),
    'after update',
  );
  assert.equal(
    text.decode((await expectApplication(atCarol.group, sent.message, deps)).plaintext),
    'after update',
  );
});

test('operations never mutate the group they are given', async () => {
  const { deps, h, ids, alice, bob } = await familyGroup();
  const before = { alice: encodeGroup(alice), bob: encodeGroup(bob) };
  const daveKp = await createKeyPackage(ids.d.me, h.trust);
  await addMembers(alice, [daveKp.publicPackage], deps);
  await removeMembers(alice, [1], deps);
  await selfUpdate(alice, deps);
  const sent = await encryptMessage(alice, utf8('m'), deps);
  const update = await selfUpdate(alice, deps);
  await processMessage(bob, sent.message, deps);
  await processMessage(bob, update.commit, deps);
  assert.ok(equalBytes(encodeGroup(alice), before.alice), 'alice unchanged');
  assert.ok(equalBytes(encodeGroup(bob), before.bob), 'bob unchanged');
  // And the untouched old state is still fully usable.
  const again = await encryptMessage(alice, utf8('still here'), deps);
  assert.equal(
    text.decode((await expectApplication(bob, again.message, deps)).plaintext),
    'still here',
  );
});

test('competing commits: the loser processes the winner, then re-commits', async () => {
  const { deps, alice, bob, carol } = await familyGroup();
  // Alice and Bob both commit in epoch 1; the hub takes Alice's first.
  const winner = await selfUpdate(alice, deps);
  const loser = await selfUpdate(bob, deps);
  assert.equal(winner.epoch, 1);
  assert.equal(loser.epoch, 1);

  const carolAfter = await expectCommit(carol, winner.commit, deps);
  // Members that moved on cannot take the other commit for the same epoch.
  await rejectsWith(
    processMessage(carolAfter.group, loser.commit, deps),
    'crypto_failed',
    'epoch_too_old',
  );
  await rejectsWith(
    processMessage(winner.group, loser.commit, deps),
    'crypto_failed',
    'epoch_too_old',
  );

  // Bob drops his pending state, processes the winner from his old state, and retries.
  const bobAfter = await expectCommit(bob, winner.commit, deps);
  assert.equal(epochOf(bobAfter.group), 2);
  const retry = await selfUpdate(bobAfter.group, deps);
  assert.equal(retry.epoch, 2);
  const aliceFinal = await expectCommit(winner.group, retry.commit, deps);
  const carolFinal = await expectCommit(carolAfter.group, retry.commit, deps);
  assert.equal(aliceFinal.epoch, 3);

  const sent = await encryptMessage(retry.group, utf8('in sync'), deps);
  assert.equal(
    text.decode((await expectApplication(aliceFinal.group, sent.message, deps)).plaintext),
    'in sync',
  );
  assert.equal(
    text.decode((await expectApplication(carolFinal.group, sent.message, deps)).plaintext),
    'in sync',
  );
  // Bob's own commit coming back is recognised as such.
  await rejectsWith(
    processMessage(bobAfter.group, retry.commit, deps),
    'crypto_failed',
    'own_commit',
  );
});

test('late application messages from recent epochs decrypt; older ones are refused', async () => {
  const { deps, alice, bob } = await familyGroup();
  const early1 = await encryptMessage(alice, utf8('first, epoch 1'), deps);
  const early2 = await encryptMessage(early1.group, utf8('second, epoch 1'), deps);
  let aliceG = early2.group;
  let bobG = bob;
  const commits: Uint8Array[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await selfUpdate(aliceG, deps);
    aliceG = c.group;
    commits.push(c.commit);
  }
  // After one commit the epoch-1 messages still decrypt, even out of order.
  bobG = (await expectCommit(bobG, commits[0]!, deps)).group;
  const late2 = await expectApplication(bobG, early2.message, deps);
  assert.equal(text.decode(late2.plaintext), 'second, epoch 1');
  assert.equal(late2.epoch, 1);
  assert.equal(late2.sender.user, 'alice');
  const late1 = await expectApplication(late2.group, early1.message, deps);
  assert.equal(text.decode(late1.plaintext), 'first, epoch 1');
  assert.equal(epochOf(late1.group), 2);
  // A replay fails: the past epoch's key was used and deleted from the new state.
  await rejectsWith(processMessage(late1.group, early2.message, deps), 'crypto_failed', 'invalid');
  // Five epochs later, epoch 1's keys are gone.
  let old = bobG;
  for (const c of commits.slice(1)) old = (await expectCommit(old, c, deps)).group;
  assert.equal(epochOf(old), 6);
  await rejectsWith(processMessage(old, early1.message, deps), 'crypto_failed', 'epoch_too_old');
});

test('processMessage refuses other groups, future epochs and non-group messages', async () => {
  const { deps, h, ids, alice, bob, bobKp } = await familyGroup();
  const other = await createGroup(utf8('other'), ids.a.me, deps);
  const otherMsg = await encryptMessage(other, utf8('x'), deps);
  await rejectsWith(processMessage(bob, otherMsg.message, deps), 'crypto_failed', 'wrong_group');

  const c1 = await selfUpdate(alice, deps);
  const c2 = await selfUpdate(c1.group, deps);
  await rejectsWith(processMessage(bob, c2.commit, deps), 'crypto_failed', 'future_epoch');

  await rejectsWith(
    processMessage(bob, bobKp.publicPackage, deps),
    'crypto_failed',
    'not_supported',
  );
  await rejectsWith(processMessage(bob, utf8('garbage'), deps), 'crypto_failed');
  const daveKp = await createKeyPackage(ids.d.me, h.trust);
  const add = await addMembers(alice, [daveKp.publicPackage], deps);
  await rejectsWith(processMessage(bob, add.welcome, deps), 'crypto_failed', 'not_supported');
});

test('removeMembers refuses blank leaves, itself and duplicates; encrypt bounds the size', async () => {
  const { deps, alice } = await familyGroup();
  await rejectsWith(removeMembers(alice, [7], deps), 'usage');
  await rejectsWith(removeMembers(alice, [0], deps), 'usage');
  await rejectsWith(removeMembers(alice, [1, 1], deps), 'usage');
  await rejectsWith(removeMembers(alice, [], deps), 'usage');
  await rejectsWith(encryptMessage(alice, new Uint8Array(1024 * 1024), deps), 'payload_too_large');
});

test('joinFromWelcome refuses a key package the welcome is not for', async () => {
  const { deps, h, ids, add } = await familyGroup();
  const daveKp = await createKeyPackage(ids.d.me, h.trust);
  await assert.rejects(
    joinFromWelcome(add.welcome, daveKp, deps),
    /not addressed to this key package/,
  );
});

test('daveJoinsByExternalCommit from the published GroupInfo', async () => {
  const { deps, ids, add, bob, carol } = await familyGroup();
  const join = await joinExternal(add.groupInfo, ids.d.me, deps);
  assert.equal(join.epoch, 1);
  assert.equal(epochOf(join.group), 2);
  assert.equal(myLeafOf(join.group), 3);

  const atBob = await expectCommit(bob, join.commit, deps);
  assert.deepEqual(
    atBob.added.map((c) => c.user),
    ['dave'],
  );
  assert.equal(atBob.committer.user, 'dave');
  assert.deepEqual(
    membersOf(atBob.group).map((m) => m.credential.user),
    ['alice', 'bob', 'carol', 'dave'],
  );
  const atCarol = await expectCommit(carol, join.commit, deps);

  const hello = await encryptMessage(join.group, utf8('hi, dave here'), deps);
  assert.equal(
    text.decode((await expectApplication(atBob.group, hello.message, deps)).plaintext),
    'hi, dave here',
  );
  const reply = await encryptMessage(atCarol.group, utf8('welcome dave'), deps);
  const atDave = await expectApplication(join.group, reply.message, deps);
  assert.equal(atDave.sender.user, 'carol');
});

test('a device that lost its state rejoins in place of its old leaf (resync)', async () => {
  const { deps, ids, alice, carol } = await familyGroup();
  const rejoin = await joinExternal(await groupInfoOf(alice), ids.b.me, deps, { resync: true });
  const atAlice = await expectCommit(alice, rejoin.commit, deps);
  assert.deepEqual(
    atAlice.removed.map((c) => c.user),
    ['bob'],
  );
  assert.deepEqual(
    atAlice.added.map((c) => c.user),
    ['bob'],
  );
  assert.deepEqual(
    membersOf(atAlice.group).map((m) => m.credential.user),
    ['alice', 'bob', 'carol'],
  );
  const atCarol = await expectCommit(carol, rejoin.commit, deps);
  const sent = await encryptMessage(atCarol.group, utf8('welcome back'), deps);
  const got = await expectApplication(rejoin.group, sent.message, deps);
  assert.equal(text.decode(got.plaintext), 'welcome back');
  // Resync is only for a device that has a leaf to replace.
  await rejectsWith(
    joinExternal(await groupInfoOf(alice), ids.d.me, deps, { resync: true }),
    'usage',
  );
});
