import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCommit, createProposal } from 'ts-mls';
import { concatBytes, equalBytes, randomBytes, utf8 } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import { encodeMls, MAX_MLS_MESSAGE_BYTES } from './codec.ts';
import { withConfig } from './config.ts';
import {
  addMembers,
  createGroup,
  encryptMessage,
  joinExternal,
  joinFromWelcome,
  removeMembers,
  selfUpdate,
  type GroupContextDeps,
} from './group.ts';
import {
  inspectGroupInfo,
  inspectKeyPackage,
  inspectKeyPackageVerified,
  inspectMessage,
  inspectWelcome,
  type Inspected,
} from './inspect.ts';
import { createKeyPackage, makeLeafKeyPackage } from './keyPackages.ts';
import { getSuite } from './suite.ts';
import { makeTestHousehold, type TestIdentity } from './testing.ts';

async function scene() {
  const h = await makeTestHousehold(['alice', 'bob', 'carol', 'dave']);
  const deps: GroupContextDeps = { trust: h.trust };
  const [a, b, c, d] = h.devices as [TestIdentity, TestIdentity, TestIdentity, TestIdentity];
  const g0 = await createGroup(utf8('family'), a.me, deps);
  const bobKp = await createKeyPackage(b.me, h.trust);
  const carolKp = await createKeyPackage(c.me, h.trust, { lastResort: true });
  const add = await addMembers(g0, [bobKp.publicPackage, carolKp.publicPackage], deps);
  const bob = await joinFromWelcome(add.welcome, bobKp, deps);
  return { h, deps, ids: { a, b, c, d }, bobKp, carolKp, add, alice: add.group, bob };
}

function asCommit(i: Inspected) {
  assert.equal(i.type, 'commit');
  return i;
}

function isBadRequest(err: unknown): boolean {
  return err instanceof FoyerError && err.code === 'bad_request';
}

test('inspects an add commit with two adds, in order', async () => {
  const { ids, add } = await scene();
  const i = asCommit(inspectMessage(add.commit));
  assert.ok(equalBytes(i.groupId, utf8('family')));
  assert.equal(i.epoch, 0);
  assert.deepEqual(i.sender, { kind: 'member', leaf: 0 });
  assert.deepEqual(i.adds, [ids.b.decoded, ids.c.decoded]);
  assert.deepEqual(i.removes, []);
  assert.equal(i.byReference, 0);
});

test('inspects application messages, remove and self-update commits', async () => {
  const { deps, alice, bob } = await scene();
  const app = await encryptMessage(bob, utf8('secret'), deps);
  const i = inspectMessage(app.message);
  assert.equal(i.type, 'application');
  assert.equal(i.epoch, 1);
  assert.ok(equalBytes(i.groupId, utf8('family')));

  const removal = asCommit(inspectMessage((await removeMembers(alice, [2], deps)).commit));
  assert.deepEqual(
    [removal.epoch, removal.sender, removal.removes, removal.adds],
    [1, { kind: 'member', leaf: 0 }, [2], []],
  );
  const update = asCommit(inspectMessage((await selfUpdate(bob, deps)).commit));
  assert.deepEqual(
    [update.epoch, update.sender, update.removes, update.adds, update.byReference],
    [1, { kind: 'member', leaf: 1 }, [], [], 0],
  );
});

test('inspects external commits as coming from a new member', async () => {
  const { deps, ids, add } = await scene();
  const join = asCommit(inspectMessage((await joinExternal(add.groupInfo, ids.d.me, deps)).commit));
  assert.equal(join.epoch, 1);
  assert.deepEqual(join.sender, { kind: 'new_member', credential: ids.d.decoded });
  assert.deepEqual([join.adds, join.removes, join.byReference], [[], [], 0]);
  // A device that lost its state rejoins in place of its old leaf.
  const resync = asCommit(
    inspectMessage((await joinExternal(add.groupInfo, ids.b.me, deps, { resync: true })).commit),
  );
  assert.deepEqual(resync.sender, { kind: 'new_member', credential: ids.b.decoded });
  assert.deepEqual(resync.removes, [1]);
});

test('inspects proposals and counts proposals by reference', async () => {
  const { deps, alice } = await scene();
  const suite = await getSuite();
  const proposed = await createProposal(
    withConfig(alice.state, deps.trust),
    true,
    { proposalType: 'remove', remove: { removed: 1 } },
    suite,
  );
  const p = inspectMessage(encodeMls(proposed.message));
  assert.deepEqual(
    [p.type, p.epoch, p.type === 'proposal' ? p.sender : undefined],
    ['proposal', 1, { kind: 'member', leaf: 0 }],
  );
  const byRef = await createCommit(
    { state: proposed.newState, cipherSuite: suite },
    { wireAsPublicMessage: true },
  );
  const c = asCommit(inspectMessage(encodeMls(byRef.commit)));
  assert.equal(c.byReference, 1);
  assert.deepEqual(c.removes, [], 'removes counts only proposals by value');
});

test('refuses commits sent as PrivateMessage and non-group messages', async () => {
  const { deps, alice, add, bobKp } = await scene();
  const suite = await getSuite();
  const hidden = await createCommit({
    state: withConfig(alice.state, deps.trust),
    cipherSuite: suite,
  });
  assert.throws(() => inspectMessage(encodeMls(hidden.commit)), /PublicMessage/);
  for (const other of [add.welcome, add.groupInfo, bobKp.publicPackage]) {
    assert.throws(() => inspectMessage(other), isBadRequest);
  }
});

test('inspects GroupInfo, Welcome and key packages', async () => {
  const { ids, add, bobKp, carolKp } = await scene();
  const gi = inspectGroupInfo(add.groupInfo);
  assert.equal(gi.epoch, 1);
  assert.ok(equalBytes(gi.groupId, utf8('family')));
  assert.deepEqual(
    inspectWelcome(add.welcome).keyPackageRefs.sort(),
    [bobKp.ref, carolKp.ref].sort(),
  );

  const bobInfo = inspectKeyPackage(bobKp.publicPackage);
  assert.deepEqual(bobInfo.credential, ids.b.decoded);
  assert.equal(bobInfo.ref, bobKp.ref);
  assert.equal(bobInfo.lastResort, false);
  assert.ok(bobInfo.notAfter > Date.now() / 1000 + 80 * 24 * 3600);
  assert.equal(inspectKeyPackage(carolKp.publicPackage).lastResort, true);
  assert.deepEqual(await inspectKeyPackageVerified(bobKp.publicPackage), bobInfo);

  assert.throws(() => inspectGroupInfo(add.welcome), isBadRequest);
  assert.throws(() => inspectWelcome(add.groupInfo), isBadRequest);
  assert.throws(() => inspectKeyPackage(add.welcome), isBadRequest);
});

test('key packages: a leaf key other than the device key, or a bad signature, is refused', async () => {
  const { ids, bobKp } = await scene();
  // Carries bob's credential but signs with dave's key.
  const mismatched = await makeLeafKeyPackage({
    signature: ids.d.device,
    credential: ids.b.credential,
  });
  const bytes = encodeMls({
    version: 'mls10',
    wireformat: 'mls_key_package',
    keyPackage: mismatched.publicPackage,
  });
  assert.throws(() => inspectKeyPackage(bytes), /device key/);

  const tampered = bobKp.publicPackage.slice();
  tampered[tampered.length - 1]! ^= 0x01; // last byte of the KeyPackage signature
  assert.ok(inspectKeyPackage(tampered), 'parses');
  await assert.rejects(
    inspectKeyPackageVerified(tampered),
    (err) => err instanceof FoyerError && err.code === 'bad_signature',
  );
});

test('malformed, truncated, padded or oversized input is refused with a FoyerError', async () => {
  const { add } = await scene();
  assert.throws(() => inspectMessage(new Uint8Array()), isBadRequest);
  assert.throws(() => inspectMessage(randomBytes(200)), isBadRequest);
  assert.throws(() => inspectMessage(concatBytes(add.commit, Uint8Array.of(0))), /trailing/);
  assert.throws(
    () => inspectMessage(new Uint8Array(MAX_MLS_MESSAGE_BYTES + 1)),
    (err) => err instanceof FoyerError && err.code === 'payload_too_large',
  );
  // Every truncation and every single-byte corruption either parses or fails cleanly.
  for (let n = 0; n < add.commit.length; n++) {
    assert.throws(() => inspectMessage(add.commit.subarray(0, n)), isBadRequest, `prefix ${n}`);
  }
  for (let k = 0; k < add.commit.length; k++) {
    const bad = add.commit.slice();
    bad[k]! ^= 0xff;
    try {
      inspectMessage(bad);
    } catch (err) {
      assert.ok(err instanceof FoyerError, `byte ${k}: ${String(err)}`);
    }
  }
});
