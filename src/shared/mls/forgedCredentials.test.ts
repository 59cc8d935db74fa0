/**
 * Forged credentials must fail inside ts-mls itself once Foyer's authentication service is
 * installed; each test also shows that ts-mls's default service would have let them in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createCommit,
  createGroup as mlsCreateGroup,
  defaultAuthenticationService,
  emptyPskIndex,
  joinGroup,
  processPublicMessage,
  type ClientState,
  type KeyPackage,
} from 'ts-mls';
import { utf8 } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import { decodeMlsAs, encodeMls } from './codec.ts';
import { clientConfigFor, withConfig } from './config.ts';
import {
  addMembers,
  createGroup,
  groupInfoOf,
  joinExternal,
  joinFromWelcome,
  processMessage,
  type GroupContextDeps,
} from './group.ts';
import {
  createKeyPackage,
  decodePrivateKeyPackage,
  encodePrivateKeyPackage,
  makeLeafKeyPackage,
} from './keyPackages.ts';
import { getSuite } from './suite.ts';
import {
  makeTestHousehold,
  makeTestIdentity,
  makeTestInstance,
  type TestIdentity,
} from './testing.ts';

function permissive(state: ClientState): ClientState {
  return {
    ...state,
    clientConfig: { ...state.clientConfig, authService: defaultAuthenticationService },
  };
}

function isCryptoFailure(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof FoyerError, String(err));
    assert.equal(err.code, 'crypto_failed');
    assert.match(err.message, pattern);
    return true;
  };
}

async function setup() {
  const h = await makeTestHousehold(['alice', 'bob']);
  const deps: GroupContextDeps = { trust: h.trust };
  const [alice, bob] = h.devices as [TestIdentity, TestIdentity];
  // "mallory" claims maison.example, but her credential is signed by a key that is not its.
  const rogue = await makeTestInstance(h.instance.domain);
  const mallory = await makeTestIdentity({
    user: 'mallory',
    domain: rogue.domain,
    instanceKey: rogue.key,
  });
  const forged = await makeLeafKeyPackage(mallory.me);
  const g0 = await createGroup(utf8('g'), alice.me, deps);
  const bobKp = await createKeyPackage(bob.me, h.trust);
  const add = await addMembers(g0, [bobKp.publicPackage], deps);
  const bobG = await joinFromWelcome(add.welcome, bobKp, deps);
  return { h, deps, alice, bob, mallory, forged, aliceG: add.group, bobG };
}

test('ts-mls itself refuses to commit an add of a forged key package', async () => {
  const { deps, aliceG, forged } = await setup();
  const suite = await getSuite();
  const add = { proposalType: 'add' as const, add: { keyPackage: forged.publicPackage } };
  await assert.rejects(
    createCommit(
      { state: withConfig(aliceG.state, deps.trust), cipherSuite: suite },
      { extraProposals: [add] },
    ),
    /credential/i,
  );
  // Control: the default service would have committed it.
  const made = await createCommit(
    { state: permissive(aliceG.state), cipherSuite: suite },
    { extraProposals: [add] },
  );
  assert.ok(made.welcome !== undefined);
});

test('addMembers refuses a forged key package and names it', async () => {
  const { deps, aliceG, forged, h, bob } = await setup();
  const bobAgain = await createKeyPackage(bob.me, h.trust);
  const forgedBytes = encodeMls({
    version: 'mls10',
    wireformat: 'mls_key_package',
    keyPackage: forged.publicPackage,
  });
  await assert.rejects(addMembers(aliceG, [bobAgain.publicPackage, forgedBytes], deps), (err) => {
    assert.ok(err instanceof FoyerError);
    assert.equal(err.code, 'crypto_failed');
    assert.equal(err.details?.['index'], 1);
    assert.match(err.message, /instance signature/);
    return true;
  });
});

test('a commit adding a forged device (made with a permissive client) fails at every member', async () => {
  const { deps, aliceG, bobG, forged } = await setup();
  const suite = await getSuite();
  const made = await createCommit(
    { state: permissive(aliceG.state), cipherSuite: suite },
    {
      extraProposals: [{ proposalType: 'add', add: { keyPackage: forged.publicPackage } }],
      wireAsPublicMessage: true,
      ratchetTreeExtension: true,
    },
  );
  const commit = encodeMls(made.commit);
  await assert.rejects(
    processMessage(bobG, commit, deps),
    isCryptoFailure(/could not validate credential/i),
  );
  // Control: ts-mls with its default service accepts the same commit.
  const pm = decodeMlsAs(commit, 'mls_public_message', 'commit', 'crypto_failed').publicMessage;
  const accepted = await processPublicMessage(permissive(bobG.state), pm, emptyPskIndex, suite);
  assert.equal(accepted.newState.groupContext.epoch, 2n);
});

test('joining from a welcome sent by a forged member fails', async () => {
  const { deps, h, bob, mallory } = await setup();
  const suite = await getSuite();
  // Mallory builds a group with plain ts-mls (Foyer's createGroup would refuse her credential).
  const own = await makeLeafKeyPackage(mallory.me);
  const state = await mlsCreateGroup(
    utf8('trap'),
    own.publicPackage,
    own.privatePackage,
    [],
    suite,
    {
      ...clientConfigFor(deps.trust),
      authService: defaultAuthenticationService,
    },
  );
  const bobKp = await createKeyPackage(bob.me, h.trust);
  const keyPackage: KeyPackage = decodeMlsAs(
    bobKp.publicPackage,
    'mls_key_package',
    'kp',
    'crypto_failed',
  ).keyPackage;
  const made = await createCommit(
    { state, cipherSuite: suite },
    { extraProposals: [{ proposalType: 'add', add: { keyPackage } }], ratchetTreeExtension: true },
  );
  assert.ok(made.welcome !== undefined);
  const welcome = encodeMls({ version: 'mls10', wireformat: 'mls_welcome', welcome: made.welcome });
  await assert.rejects(joinFromWelcome(welcome, bobKp, deps), isCryptoFailure(/credential/i));
  // Control: ts-mls's default service joins the trap.
  const joined = await joinGroup(
    made.welcome,
    keyPackage,
    decodePrivateKeyPackage(bobKp.privatePackage),
    emptyPskIndex,
    suite,
  );
  assert.equal(joined.groupContext.epoch, 1n);
});

test('a forged device cannot make its own key package, group or external join', async () => {
  const { deps, h, mallory, aliceG } = await setup();
  await assert.rejects(
    createKeyPackage(mallory.me, h.trust),
    isCryptoFailure(/own credential refused/),
  );
  await assert.rejects(
    createGroup(utf8('m'), mallory.me, deps),
    isCryptoFailure(/own credential refused/),
  );
  await assert.rejects(
    joinExternal(await groupInfoOf(aliceG), mallory.me, deps),
    isCryptoFailure(/own credential/),
  );
  // The private package encoding does not depend on the credential: round trip for coverage.
  const p = (await makeLeafKeyPackage(mallory.me)).privatePackage;
  assert.deepEqual(decodePrivateKeyPackage(encodePrivateKeyPackage(p)), p);
});
