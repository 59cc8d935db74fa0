import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GovernanceView } from '../../src/web/lib/engine.ts';
import { isLastAdmin, tally } from '../../src/web/app/group/votes.ts';

const member = (address: string, role: 'admin' | 'member') => ({
  address,
  role,
  state: 'active' as const,
  devices: ['d1'],
  invitedDevices: [],
  leaving: false,
});

function view(votes: GovernanceView['votes'], admins: string[], members: string[]): GovernanceView {
  return {
    governed: true,
    members: [...admins.map((a) => member(a, 'admin')), ...members.map((m) => member(m, 'member'))],
    addMembers: 'admins',
    editProfile: 'admins',
    bannedIdentities: [],
    bannedDevices: [],
    votes,
    last: null,
  };
}

test('a ban on an admin is decided by the other admins; a device ban counts every admin', () => {
  const g = view(
    [
      { target: 'c@x', kind: 'ban', voter: 'a@x' },
      { target: 'c@x', kind: 'ban', voter: 'b@x' },
      { target: 'c@x/d1', kind: 'ban', voter: 'a@x' },
    ],
    ['a@x', 'b@x', 'c@x'],
    ['d@x'],
  );
  assert.deepEqual(tally(g, 'c@x', 'ban', 'a@x'), { voted: 2, eligible: 2, needed: 2, mine: true });
  assert.deepEqual(tally(g, 'c@x/d1', 'ban', 'b@x'), {
    voted: 1,
    eligible: 3,
    needed: 2,
    mine: false,
  });
  assert.deepEqual(tally(g, 'd@x', 'ban', 'a@x'), {
    voted: 0,
    eligible: 3,
    needed: 2,
    mine: false,
  });
});

test('the last admin is told so while others remain, not when alone or with another admin', () => {
  assert.equal(isLastAdmin(view([], ['a@x'], ['b@x']), 'a@x'), true);
  assert.equal(isLastAdmin(view([], ['a@x'], []), 'a@x'), false);
  assert.equal(isLastAdmin(view([], ['a@x', 'b@x'], []), 'a@x'), false);
  assert.equal(isLastAdmin(view([], ['a@x'], ['b@x']), 'b@x'), false);
});
