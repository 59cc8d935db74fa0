/**
 * Properties of the group policy codec (governance/policyCodec.ts): valid policies round-trip
 * byte for byte, any decodable input re-encodes to itself (one policy, one encoding), and
 * mutated or random bytes fail only with the declared codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodePolicy,
  encodePolicy,
  MAX_POLICY_LIST,
} from '../../src/shared/governance/policyCodec.ts';
import {
  targetKey,
  voteKey,
  type Policy,
  type Target,
} from '../../src/shared/governance/policy.ts';
import { onlyFails, runs } from './support.ts';

const identity = fc
  .tuple(fc.stringMatching(/^[a-z0-9._-]{1,12}$/), fc.constantFrom('a.test', 'b.test:8443'))
  .map(([u, d]) => `${u}@${d}`);
const deviceId = fc.stringMatching(/^[A-Za-z0-9_-]{22}$/);
const target: fc.Arbitrary<Target> = fc.oneof(
  identity.map((i) => ({ identity: i })),
  fc.tuple(identity, deviceId).map(([i, d]) => ({ identity: i, deviceId: d })),
);
const idList = fc.uniqueArray(identity, { maxLength: 6 }).map((l) => l.sort());
const allowed = fc.constantFrom('admins' as const, 'members' as const);
const commitment = fc.uint8Array({ minLength: 32, maxLength: 32 });

const action = fc.oneof(
  fc.constant({ t: 'create' as const }),
  identity.map((i) => ({ t: 'promote' as const, identity: i })),
  identity.map((i) => ({ t: 'demote' as const, identity: i })),
  fc.tuple(target, fc.constantFrom('ban' as const, 'unban' as const)).map(([t, kind]) => ({
    t: 'vote' as const,
    target: t,
    kind,
  })),
  target.map((t) => ({ t: 'unvote' as const, target: t })),
  fc.tuple(allowed, allowed).map(([a, e]) => ({
    t: 'permissions' as const,
    addMembers: a,
    editProfile: e,
  })),
  fc.constant({ t: 'leave' as const }),
  fc.constant({ t: 'prune' as const }),
  commitment.map((c) => ({ t: 'profile' as const, commitment: c })),
);

const sortBy =
  <T>(key: (x: T) => string) =>
  (l: T[]) =>
    [...new Map(l.map((x) => [key(x), x])).values()].sort((a, b) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0,
    );

const policy: fc.Arbitrary<Policy> = fc.record({
  addMembers: allowed,
  editProfile: allowed,
  admins: idList,
  bannedIdentities: idList,
  bannedDevices: fc
    .array(
      fc.tuple(identity, deviceId).map(([i, d]) => ({ identity: i, deviceId: d })),
      {
        maxLength: 4,
      },
    )
    .map(sortBy(targetKey)),
  leaving: idList,
  votes: fc
    .array(
      fc.record({
        target,
        kind: fc.constantFrom('ban' as const, 'unban' as const),
        voter: identity,
      }),
      { maxLength: 5 },
    )
    .map(sortBy(voteKey)),
  profile: fc.oneof(
    fc.constant({ revision: 0, commitment: new Uint8Array(), editor: '' }),
    fc.record({ revision: fc.integer({ min: 1, max: 0xffffffff }), commitment, editor: identity }),
  ),
  last: fc.record({
    action,
    by: identity,
    resolved: fc
      .array(
        fc.record({
          target,
          kind: fc.constantFrom('ban' as const, 'unban' as const),
          voters: idList,
        }),
        { maxLength: 2 },
      )
      .map(sortBy((r) => `${targetKey(r.target)}\u0000${r.kind}`)),
  }),
});

test('a valid policy round-trips and re-encodes to the same bytes', () => {
  fc.assert(
    fc.property(policy, (p) => {
      const bytes = encodePolicy(p);
      const back = decodePolicy(bytes);
      assert.deepEqual(back, structuredClone(p));
      assert.deepEqual(encodePolicy(back), bytes);
    }),
    runs(300),
  );
});

test('mutated encodings either fail as bad_request or decode to a canonical policy', () => {
  fc.assert(
    fc.property(policy, fc.nat(), fc.integer({ min: 0, max: 255 }), (p, at, v) => {
      const bytes = encodePolicy(p);
      bytes[at % bytes.length] = v;
      const back = onlyFails(() => decodePolicy(bytes), ['bad_request']);
      if (back !== undefined) assert.deepEqual(encodePolicy(back), bytes);
    }),
    runs(500),
  );
});

test('random bytes fail only as bad_request', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      onlyFails(() => decodePolicy(b), ['bad_request']);
    }),
    runs(500),
  );
});

test('unsorted lists, duplicates and oversized lists are refused', () => {
  const base: Policy = {
    addMembers: 'admins',
    editProfile: 'admins',
    admins: ['a@x.test', 'b@x.test'],
    bannedIdentities: [],
    bannedDevices: [],
    leaving: [],
    votes: [],
    profile: { revision: 0, commitment: new Uint8Array(), editor: '' },
    last: { action: { t: 'prune' }, by: 'a@x.test', resolved: [] },
  };
  assert.throws(() => encodePolicy({ ...base, admins: ['b@x.test', 'a@x.test'] }), {
    code: 'bad_request',
  });
  assert.throws(() => encodePolicy({ ...base, admins: ['a@x.test', 'a@x.test'] }), {
    code: 'bad_request',
  });
  const many = Array.from({ length: MAX_POLICY_LIST + 1 }, (_, i) => `u${1000 + i}@x.test`);
  assert.throws(() => encodePolicy({ ...base, bannedIdentities: many }), { code: 'bad_request' });
  // The same two admins written in the wrong order by hand: the decoder refuses them too.
  const good = encodePolicy(base);
  const swapped = good.slice();
  const a = 'a@x.test'.charCodeAt(0);
  const first = swapped.indexOf(a);
  const second = swapped.indexOf('b'.charCodeAt(0), first);
  swapped[first] = 'b'.charCodeAt(0);
  swapped[second] = a;
  assert.throws(() => decodePolicy(swapped), { code: 'bad_request' });
  assert.ok(good.length < 80, `a two-admin policy is compact (${good.length} bytes)`);
});
