import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultAuthenticationService } from 'ts-mls';
import { concatBytes, equalBytes, utf8 } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import {
  addMembers,
  createGroup,
  decodeGroup,
  encodeGroup,
  encryptMessage,
  epochOf,
  joinFromWelcome,
  processMessage,
  selfUpdate,
  GROUP_STATE_VERSION,
} from './group.ts';
import { createKeyPackage } from './keyPackages.ts';
import { makeTestIdentity, makeTestInstance, memoryTrustStore } from './testing.ts';

async function twoInstances() {
  const maison = await makeTestInstance('maison.example');
  const chezBob = await makeTestInstance('chez-bob.example');
  const both = memoryTrustStore(
    { domain: maison.domain, publicKey: maison.key.publicKey },
    { domain: chezBob.domain, publicKey: chezBob.key.publicKey },
  );
  const maisonOnly = memoryTrustStore({ domain: maison.domain, publicKey: maison.key.publicKey });
  const alice = await makeTestIdentity({
    user: 'alice',
    domain: maison.domain,
    instanceKey: maison.key,
  });
  const bob = await makeTestIdentity({
    user: 'bob',
    domain: maison.domain,
    instanceKey: maison.key,
  });
  const dave = await makeTestIdentity({
    user: 'dave',
    domain: chezBob.domain,
    instanceKey: chezBob.key,
  });
  const deps = { trust: both };
  const g0 = await createGroup(utf8('g'), alice.me, deps);
  const bobKp = await createKeyPackage(bob.me, both);
  const add = await addMembers(g0, [bobKp.publicPackage], deps);
  const bobG = await joinFromWelcome(add.welcome, bobKp, deps);
  return { both, maisonOnly, alice, bob, dave, deps, aliceG: add.group, bobG };
}

test('encode/decode round trip: the decoded state keeps talking and re-encodes identically', async () => {
  const { deps, aliceG, bobG } = await twoInstances();
  const sent = await encryptMessage(aliceG, utf8('before storage'), deps);
  const stored = encodeGroup(bobG);
  assert.equal(stored[0], GROUP_STATE_VERSION);
  const restored = decodeGroup(stored, deps);
  assert.ok(equalBytes(encodeGroup(restored), stored));
  assert.equal(epochOf(restored), 1);

  const got = await processMessage(restored, sent.message, deps);
  assert.equal(got.kind, 'application');
  assert.equal(
    new TextDecoder().decode(got.kind === 'application' ? got.plaintext : undefined),
    'before storage',
  );

  const update = await selfUpdate(decodeGroup(encodeGroup(got.group), deps), deps);
  const atAlice = await processMessage(aliceG, update.commit, deps);
  assert.equal(atAlice.kind, 'commit');
  assert.equal(epochOf(atAlice.group), 2);
});

test('decodeGroup re-attaches the Foyer authentication service', async () => {
  const { both, maisonOnly, dave, deps, aliceG, bobG } = await twoInstances();
  const stored = encodeGroup(bobG);
  const restricted = decodeGroup(stored, { trust: maisonOnly });
  assert.notEqual(restricted.state.clientConfig.authService, defaultAuthenticationService);
  // The attached service itself refuses what its trust store does not vouch for.
  assert.equal(
    await restricted.state.clientConfig.authService.validateCredential(
      { credentialType: 'basic', identity: dave.credential },
      dave.device.publicKey,
    ),
    false,
  );

  // Alice (trusting both instances) adds dave@chez-bob.example.
  const daveKp = await createKeyPackage(dave.me, both);
  const add = await addMembers(aliceG, [daveKp.publicPackage], deps);
  // Bob's state restored with a trust store that does not know chez-bob.example refuses it…
  await assert.rejects(processMessage(restricted, add.commit, { trust: maisonOnly }), (err) => {
    assert.ok(err instanceof FoyerError);
    assert.equal(err.code, 'crypto_failed');
    assert.equal(err.details?.['reason'], 'invalid');
    assert.match(err.message, /credential/i);
    return true;
  });
  // …and accepts it once restored with one that does.
  const ok = await processMessage(decodeGroup(stored, { trust: both }), add.commit, {
    trust: both,
  });
  assert.equal(ok.kind, 'commit');
  assert.deepEqual(ok.kind === 'commit' ? ok.added.map((c) => c.user) : [], ['dave']);
});

test('decodeGroup refuses unknown versions and malformed bytes', async () => {
  const { deps, bobG } = await twoInstances();
  const stored = encodeGroup(bobG);
  const bad: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array()],
    ['version 2', concatBytes(Uint8Array.of(2), stored.subarray(1))],
    ['version 0', concatBytes(Uint8Array.of(0), stored.subarray(1))],
    ['truncated', stored.subarray(0, stored.length - 1)],
    ['trailing', concatBytes(stored, Uint8Array.of(0))],
    ['garbage', concatBytes(Uint8Array.of(GROUP_STATE_VERSION), utf8('not a state'))],
  ];
  for (const [name, bytes] of bad) {
    assert.throws(
      () => decodeGroup(bytes, deps),
      (err) => err instanceof FoyerError && err.code === 'crypto_failed',
      name,
    );
  }
});
