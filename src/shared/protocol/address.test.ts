import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addressFromString, formatAddress, parseAddress, sameAddress } from './address.ts';

test('a bare name is a user of the local instance; a full address keeps its domain', () => {
  assert.deepEqual(parseAddress('bob', 'maison.example'), {
    user: 'bob',
    domain: 'maison.example',
  });
  assert.deepEqual(parseAddress(' Bob@Chez-Bob.Example ', 'maison.example'), {
    user: 'bob',
    domain: 'chez-bob.example',
  });
  assert.deepEqual(parseAddress('carol@127.0.0.1:8080', 'maison.example'), {
    user: 'carol',
    domain: '127.0.0.1:8080',
  });
});

test('malformed addresses are refused with invalid_name', () => {
  for (const bad of [
    '',
    '@maison.example',
    'bob@',
    'bo b',
    'bob@ma ison',
    'a@b@c',
    'x'.repeat(33),
  ]) {
    assert.throws(() => parseAddress(bad, 'maison.example'), { code: 'invalid_name' }, bad);
  }
});

test('formatting then parsing gives the same address', () => {
  const user = fc.stringMatching(/^[a-z0-9._-]{1,32}$/);
  const domain = fc.stringMatching(/^[a-z0-9-]{1,20}(\.[a-z0-9-]{1,20}){0,3}(:[0-9]{1,5})?$/);
  fc.assert(
    fc.property(user, domain, (u, d) => {
      const a = { user: u, domain: d };
      assert.ok(sameAddress(parseAddress(formatAddress(a), 'other.example'), a));
      assert.ok(sameAddress(addressFromString(formatAddress(a)), a));
    }),
  );
  assert.throws(() => addressFromString('no-domain'), { code: 'corrupt_store' });
});
