import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GovernanceView, MemberView } from '../../shared/engine/conversations/governance.ts';
import { governanceReport } from './format.ts';

const member = (address: string, state: MemberView['state']): MemberView => ({
  address,
  role: 'member',
  state,
  devices: ['d1'],
  invitedDevices: state === 'invited' ? ['d1'] : [],
  leaving: false,
});

test('group members shows an invited person beside the role', () => {
  const g: GovernanceView = {
    governed: true,
    members: [member('a@x', 'active'), member('b@x', 'invited')],
    addMembers: 'admins',
    editProfile: 'admins',
    bannedIdentities: [],
    bannedDevices: [],
    votes: [],
    last: null,
  };
  const lines = governanceReport(g).split('\n');
  assert.equal(lines[0], 'a@x  member  1 device(s)');
  assert.equal(lines[1], 'b@x  member (invited)  1 device(s)');
});
