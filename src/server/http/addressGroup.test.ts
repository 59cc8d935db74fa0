import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressGroup } from './addressGroup.ts';

test('IPv4 addresses stand alone; IPv6 addresses group by /64', () => {
  assert.equal(addressGroup('192.0.2.7'), '192.0.2.7');
  assert.equal(addressGroup('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressGroup('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(addressGroup('2001:0db8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
  assert.equal(addressGroup('::1'), '0:0:0:0::/64');
  assert.equal(addressGroup('2001:db8::'), '2001:db8:0:0::/64');
  assert.equal(addressGroup(undefined), 'unknown');
});
