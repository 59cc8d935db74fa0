import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialPolicy, type Policy, type PolicyAction } from './policy.ts';
import { encodePolicy } from './policyCodec.ts';
import { applyAction, isRefusal } from './rules.ts';
import { checkCommit, type CommitFacts, type LeafDevice } from './commitCheck.ts';

const A = 'alice@x.test';
const B = 'bob@x.test';
const C = 'carla@x.test';
const D = 'denys@x.test';
const all = new Set([A, B, C, D]);

function act(p: Policy, action: PolicyAction, by: string, after: Set<string> = all): Policy {
  const next = applyAction(p, action, by, after);
  if (isRefusal(next)) assert.fail(`${next.rule}: ${next.reason}`);
  return next;
}

function refused(p: Policy, action: PolicyAction, by: string, rule: string): void {
  const next = applyAction(p, action, by, all);
  assert.ok(isRefusal(next), `expected ${rule}`);
  assert.equal(next.rule, rule);
}

function admins(...ids: string[]): Policy {
  let p = initialPolicy(ids[0]!);
  for (const id of ids.slice(1)) p = act(p, { t: 'promote', identity: id }, ids[0]!);
  return p;
}

test('the creator is the only admin; members can neither promote, vote nor edit', () => {
  const p = initialPolicy(A);
  assert.deepEqual(p.admins, [A]);
  refused(p, { t: 'promote', identity: B }, B, 'admin_only');
  refused(p, { t: 'vote', target: { identity: C }, kind: 'ban' }, B, 'admin_only');
  refused(p, { t: 'profile', commitment: new Uint8Array(32) }, B, 'admin_only');
  refused(p, { t: 'permissions', addMembers: 'members', editProfile: 'members' }, B, 'admin_only');
});

test('a lone admin’s vote is a majority; the ban records its voters', () => {
  const p = act(initialPolicy(A), { t: 'vote', target: { identity: B }, kind: 'ban' }, A);
  assert.deepEqual(p.bannedIdentities, [B]);
  assert.deepEqual(p.votes, []);
  assert.deepEqual(p.last.resolved, [{ target: { identity: B }, kind: 'ban', voters: [A] }]);
});

test('with three admins a ban needs two votes; withdrawal and demotion drop votes', () => {
  let p = admins(A, B, C);
  p = act(p, { t: 'vote', target: { identity: D }, kind: 'ban' }, A);
  assert.deepEqual(p.bannedIdentities, []);
  p = act(p, { t: 'unvote', target: { identity: D } }, A);
  assert.deepEqual(p.votes, []);
  p = act(p, { t: 'vote', target: { identity: D }, kind: 'ban' }, A);
  p = act(p, { t: 'demote', identity: A }, B); // A's vote no longer counts
  assert.deepEqual(p.votes, []);
  p = act(p, { t: 'vote', target: { identity: D }, kind: 'ban' }, B);
  assert.deepEqual(p.bannedIdentities, [], 'one vote of two admins is not more than half');
  p = act(p, { t: 'vote', target: { identity: D }, kind: 'ban' }, C);
  assert.deepEqual(p.bannedIdentities, [D]);
  // Lifting needs the same majority.
  p = act(p, { t: 'vote', target: { identity: D }, kind: 'unban' }, B);
  assert.deepEqual(p.bannedIdentities, [D]);
  p = act(p, { t: 'vote', target: { identity: D }, kind: 'unban' }, C);
  assert.deepEqual(p.bannedIdentities, []);
});

test('the votes of an admin who leaves, is banned or loses their last leaf no longer count', () => {
  const banD = { t: 'vote', target: { identity: D }, kind: 'ban' } as const;
  // A's vote against D (an admin: A, B and C are eligible) does not carry alone.
  const start = admins(A, B, C, D);
  const left = act(act(start, banD, A), { t: 'leave' }, A);
  assert.deepEqual(left.votes, [], 'a leaver’s vote is dropped');

  // A votes against D; B and C ban A (A's own vote on A's ban is not asked): A's vote goes.
  let p = act(admins(A, B, C), banD, A);
  p = act(p, { t: 'vote', target: { identity: A }, kind: 'ban' }, B);
  p = act(p, { t: 'vote', target: { identity: A }, kind: 'ban' }, C);
  assert.deepEqual(p.bannedIdentities, [A]);
  assert.deepEqual(p.admins, [B, C]);
  assert.deepEqual(p.votes, [], 'a banned admin’s vote is dropped');
  // One vote of the two remaining admins is not a majority: D stays.
  p = act(p, banD, B);
  assert.deepEqual(p.bannedIdentities, [A]);

  // An admin whose last leaf a commit removes (a prune) loses the role and the vote.
  const pruned = act(act(admins(A, B, C), banD, A), { t: 'prune' }, B, new Set([B, C, D]));
  assert.deepEqual(pruned.admins, [B, C]);
  assert.deepEqual(pruned.votes, []);
});

test('an admin target does not count among the eligible voters; two admins banning each other: the first commit wins', () => {
  const p = admins(A, D);
  const aliceFirst = act(p, { t: 'vote', target: { identity: D }, kind: 'ban' }, A);
  assert.deepEqual(aliceFirst.bannedIdentities, [D]);
  assert.deepEqual(aliceFirst.admins, [A]);
  // Denys's concurrent vote, rebased on the winning epoch, is refused: he is no admin.
  refused(aliceFirst, { t: 'vote', target: { identity: A }, kind: 'ban' }, D, 'admin_only');
});

test('the last admin can be neither demoted nor leave while others remain', () => {
  const p = initialPolicy(A);
  refused(p, { t: 'demote', identity: A }, A, 'last_admin');
  refused(p, { t: 'leave' }, A, 'last_admin');
  const two = admins(A, B);
  const left = act(two, { t: 'leave' }, A);
  assert.deepEqual(left.admins, [B]);
  assert.deepEqual(left.leaving, [A]);
});

test('a device ban counts every admin and bans only that device', () => {
  const target = { identity: A, deviceId: 'dddddddddddddddddddddd' };
  const p = act(initialPolicy(A), { t: 'vote', target, kind: 'ban' }, A);
  assert.deepEqual(p.bannedDevices, [target]);
  assert.deepEqual(p.admins, [A]);
});

const dev = (identity: string, n: number): LeafDevice => ({
  identity,
  deviceId: String(n).padStart(22, 'd'),
});

function facts(over: Partial<CommitFacts>): CommitFacts {
  return {
    committer: dev(A, 1),
    before: [dev(A, 1), dev(B, 2), dev(B, 3), dev(C, 4)],
    removed: [],
    added: [],
    newPolicy: undefined,
    ...over,
  };
}

test('commit check: a member removing another, adding, or changing the policy is refused', () => {
  const p = initialPolicy(A);
  const byBob = { committer: dev(B, 2) };
  const rule = (f: CommitFacts) => {
    const v = checkCommit(p, f);
    return isRefusal(v) ? v.rule : 'ok';
  };
  assert.equal(rule(facts({ ...byBob, removed: [dev(C, 4)] })), 'remove_forbidden');
  assert.equal(rule(facts({ ...byBob, added: [dev(D, 5)] })), 'add_forbidden');
  assert.equal(rule(facts({ ...byBob, removed: [dev(B, 3)] })), 'ok', 'own device');
  assert.equal(rule(facts({ ...byBob, added: [dev(B, 6)] })), 'ok', 'own new device');
  assert.equal(rule(facts({ removed: [dev(C, 4)] })), 'ok', 'an admin removes a member');
  const forged = encodePolicy({
    ...p,
    admins: [A, B],
    last: { action: { t: 'prune' }, by: B, resolved: [] },
  });
  assert.equal(rule(facts({ ...byBob, newPolicy: forged })), 'policy_mismatch');
  const promote = act(p, { t: 'promote', identity: B }, A);
  assert.equal(rule(facts({ ...byBob, newPolicy: encodePolicy(promote) })), 'policy_mismatch');
  assert.equal(rule(facts({ newPolicy: encodePolicy(promote) })), 'ok');
});

test('commit check: a ban must remove every leaf and the banned cannot be re-added', () => {
  const p = initialPolicy(A);
  const after = new Set([A, C]);
  const banned = act(p, { t: 'vote', target: { identity: B }, kind: 'ban' }, A, after);
  const rule = (q: Policy, f: CommitFacts) => {
    const v = checkCommit(q, f);
    return isRefusal(v) ? v.rule : 'ok';
  };
  const bytes = encodePolicy(banned);
  assert.equal(rule(p, facts({ newPolicy: bytes })), 'ok', 'the ban itself');
  assert.equal(rule(banned, facts({ removed: [dev(B, 2)] })), 'banned_remains');
  assert.equal(rule(banned, facts({})), 'banned_remains', 'a self-update before the removal');
  assert.equal(
    rule(banned, facts({ committer: dev(C, 4), removed: [dev(B, 2), dev(B, 3)] })),
    'ok',
  );
  const later = facts({ before: [dev(A, 1), dev(C, 4)], added: [dev(B, 7)] });
  assert.equal(rule(banned, later), 'banned');
  assert.equal(rule(banned, { ...later, committer: dev(C, 4) }), 'banned');
});

test('commit check: a device ban may not take the last admin’s last device while others remain', () => {
  const p = initialPolicy(A);
  const rule = (q: Policy, f: CommitFacts) => {
    const v = checkCommit(q, f);
    return isRefusal(v) ? v.rule : 'ok';
  };
  const ownDevice = { identity: A, deviceId: dev(A, 1).deviceId };
  const banOwn = encodePolicy(act(p, { t: 'vote', target: ownDevice, kind: 'ban' }, A));
  // Its removal would leave an admin with no leaf, and then every policy change (each
  // prunes identities without a leaf) would be refused: nobody could govern the group again.
  assert.equal(rule(p, facts({ newPolicy: banOwn })), 'last_admin');
  // With a second device the admin stays, so the ban is fine.
  const twoDevices = [dev(A, 1), dev(A, 9), dev(B, 2), dev(C, 4)];
  assert.equal(rule(p, facts({ before: twoDevices, newPolicy: banOwn })), 'ok');
  // Why: once the banned device is removed, even a plain `leave` of a member is refused.
  const carried = act(p, { t: 'vote', target: ownDevice, kind: 'ban' }, A);
  const next = applyAction(carried, { t: 'leave' }, B, new Set([B, C]));
  assert.ok(isRefusal(next) && next.rule === 'last_admin');
});
