/**
 * Forbidden commits that reach members without the hub (as only a misbehaving server could
 * deliver them): a hostile member builds each one with the MLS library directly, from its
 * own engine's state, and the test puts it straight into every other member's mailbox.
 * Each honest engine refuses it, stays at its epoch, shows the conversation in conflict
 * (view and events, also after a restart), keeps exchanging messages with the honest
 * members of that epoch, and ends in the same state as the others; the next valid commit
 * ordered by the hub clears the conflict (docs/groups.md, "Validating commits").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Proposal } from 'ts-mls';
import { fakeServer, registerClient, reopen, type TestClient } from '../testing/household.ts';
import type { FakeServer } from '../testing/fakeServer.ts';
import { loadGroup } from './conversationStore.ts';
import type { GovernanceView } from './governance.ts';
import { hostileCommit, injectCommit } from '../testing/hostile.ts';
import { newMessageId } from '../core/ids.ts';
import { fromBase64Url, toBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import {
  addProposals,
  makeTestIdentity,
  removeProposals,
  trustInstance,
} from '../../mls/testing.ts';
import { membersOf, policyOf } from '../../mls/group.ts';
import { createKeyPackage } from '../../mls/keyPackages.ts';
import { encodePolicy } from '../../governance/policyCodec.ts';
import { POLICY_EXTENSION_TYPE } from '../../governance/policy.ts';

const at = (name: string) => `${name}@maison.example`;

interface Household {
  server: FakeServer;
  clients: Record<string, TestClient>;
  groupId: string;
}

/** Alice (the admin) creates a group with the others; everyone has joined. */
async function household(names: string[]): Promise<Household> {
  const server = await fakeServer();
  const list = await Promise.all(names.map((n) => registerClient(server, n)));
  const clients = Object.fromEntries(list.map((c) => [c.name, c]));
  const group = await clients['alice']!.engine.createGroup('home', names.slice(1));
  for (const c of list) await c.engine.sync();
  return { server, clients, groupId: group.id };
}

/** Bob's forbidden commit, straight into the mailboxes of `to`. */
async function inject(h: Household, hostile: TestClient, proposals: Proposal[], to: TestClient[]) {
  await injectCommit(
    h.server,
    hostile.engine,
    h.groupId,
    proposals,
    to.map((c) => c.engine),
  );
}

/** Hub submissions so far: a forbidden commit injected into mailboxes never adds one. */
function commitsAtHub(h: Household): number {
  return h.server.submissions.filter((s) => s.groupId === h.groupId && s.kind === 'commit').length;
}

/** Each client syncs and shows the group in conflict for `rule`, at the epoch it was at. */
async function refusedWithConflict(h: Household, clients: TestClient[], rule: string) {
  for (const c of clients) {
    const epoch = await c.engine.epoch(h.groupId);
    const members = (await c.engine.conversation(h.groupId)).members;
    c.events.length = 0;
    await c.engine.sync();
    assert.equal(await c.engine.epoch(h.groupId), epoch, `${c.name} keeps its epoch`);
    const view = await c.engine.conversation(h.groupId);
    assert.equal(view.status, 'active');
    assert.deepEqual(view.members, members, `${c.name}'s members are unchanged`);
    assert.equal(view.conflictRule, rule, `${c.name} shows the conflict`);
    assert.match(view.conflict ?? '', /refused by the group policy/);
    assert.ok(
      c.events.some(
        (e) =>
          e.type === 'error' && e.code === 'forbidden_by_policy' && e.conversationId === h.groupId,
      ),
      `${c.name} reports the refused commit`,
    );
    assert.ok(
      c.events.some(
        (e) => e.type === 'conversation_updated' && e.conversation.conflictRule === rule,
      ),
      `${c.name} tells its shell that the conversation is in conflict`,
    );
  }
}

/** Every client holds the same epoch, members and policy. */
/** The view without who is invited: each device knows only whom it has heard from. */
function shared(g: GovernanceView) {
  return {
    ...g,
    members: g.members.map(({ state: _s, invitedDevices: _i, ...m }) => m),
  };
}

async function sameState(h: Household, clients: TestClient[]): Promise<void> {
  const states = [];
  for (const c of clients) {
    states.push({
      epoch: await c.engine.epoch(h.groupId),
      members: (await c.engine.conversation(h.groupId)).members,
      governance: shared(await c.engine.governance(h.groupId)),
    });
  }
  for (const s of states.slice(1)) assert.deepEqual(s, states[0]);
}

/** `from` sends a text; each of `to` syncs and has it. */
async function talks(h: Household, from: TestClient, to: TestClient[], text: string) {
  const sent = await from.engine.send(h.groupId, text);
  assert.equal(sent.state, 'sent');
  for (const c of to) {
    await c.engine.sync();
    assert.equal((await c.engine.messages(h.groupId)).at(-1)?.text, text, `${c.name} reads it`);
  }
}

test('a member removing another, straight into mailboxes: refused by all, in conflict until the next valid commit', async () => {
  const h = await household(['alice', 'bob', 'carol', 'dave']);
  const { alice, bob, carol, dave } = h.clients as Record<string, TestClient>;
  const honest = [alice!, carol!, dave!];
  const epoch = await alice!.engine.epoch(h.groupId);
  const hubCommits = commitsAtHub(h);
  const carolLeaf = await bob!.engine.run(async (ctx) => {
    const g = await loadGroup(ctx, ctx.store, h.groupId);
    return membersOf(g).find((m) => m.credential.user === 'carol')!.leaf;
  });

  await inject(h, bob!, removeProposals([carolLeaf]), honest);
  await refusedWithConflict(h, honest, 'remove_forbidden');
  assert.equal((await carol!.engine.conversation(h.groupId)).status, 'active', 'Carol stays in');
  assert.equal(commitsAtHub(h), hubCommits, 'the commit never went through the hub');
  await sameState(h, [...honest, bob!]);
  assert.equal(await alice!.engine.epoch(h.groupId), epoch);

  // The honest members (and Bob, still at that epoch) keep talking.
  await talks(h, alice!, [carol!, dave!, bob!], 'still all here');
  await talks(h, carol!, [alice!, dave!], 'I was not removed');

  // The conflict is stored: it survives a restart.
  const daveAgain = await reopen(h.server, dave!);
  assert.equal((await daveAgain.engine.conversation(h.groupId)).conflictRule, 'remove_forbidden');
  assert.equal(
    (await daveAgain.engine.conversations()).find((c) => c.id === h.groupId)?.conflictRule,
    'remove_forbidden',
  );

  // The next valid commit, ordered by the hub, clears it: the author's own (adopted once
  // the hub accepted it) and every member's who processes it.
  await alice!.engine.govern(h.groupId, { op: 'promote', person: 'dave' });
  assert.equal((await alice!.engine.conversation(h.groupId)).conflict, undefined);
  for (const c of [carol!, daveAgain]) {
    c.events.length = 0;
    await c.engine.sync();
    const view = await c.engine.conversation(h.groupId);
    assert.equal(view.conflict, undefined, `${c.name}'s conflict is cleared`);
    assert.equal(view.conflictRule, undefined);
    assert.ok(
      c.events.some(
        (e) =>
          e.type === 'conversation_updated' &&
          e.conversation.id === h.groupId &&
          e.conversation.conflict === undefined,
      ),
      `${c.name} tells its shell that the conflict is over`,
    );
  }
  await bob!.engine.sync();
  await sameState(h, [alice!, carol!, daveAgain, bob!]);
  assert.equal(await carol!.engine.epoch(h.groupId), epoch + 1);
  const cleared = await reopen(h.server, daveAgain);
  assert.equal((await cleared.engine.conversation(h.groupId)).conflict, undefined);
  await cleared.engine.close();
});

test('a banned person re-added, or a new device added to them, straight into mailboxes: refused by all', async () => {
  const h = await household(['alice', 'bob', 'carol', 'dave']);
  const { alice, bob, carol, dave } = h.clients as Record<string, TestClient>;
  const honest = [alice!, dave!];
  // Members may add people here, so the adds below are refused for the ban alone.
  await alice!.engine.govern(h.groupId, {
    op: 'permissions',
    addMembers: 'members',
    editProfile: 'admins',
  });
  await alice!.engine.govern(h.groupId, { op: 'vote-ban', person: 'carol' });
  for (const c of [bob!, carol!, dave!]) await c.engine.sync();
  assert.equal((await carol!.engine.conversation(h.groupId)).status, 'removed');
  await sameState(h, [...honest, bob!]);
  assert.deepEqual((await dave!.engine.governance(h.groupId)).bannedIdentities, [at('carol')]);

  // Carol's own device, with a fresh key package from the server.
  const claimed = await bob!.engine.run((ctx) => ctx.transport.claimKeyPackages('carol'));
  const carolPackage = fromBase64Url(claimed.keyPackages[0]!.keyPackage)!;
  await inject(h, bob!, addProposals([carolPackage]), honest);
  await refusedWithConflict(h, honest, 'banned');

  // A new device of Carol's, with a valid credential signed by her identity key.
  const carolKeys = await carol!.engine.run(async (ctx) => ctx.account.identityKey);
  const laptop = await makeTestIdentity({
    user: 'carol',
    domain: 'maison.example',
    instanceKey: h.server.instanceKey,
    identityKey: carolKeys,
  });
  const instance = { domain: 'maison.example', key: h.server.instanceKey };
  const laptopPackage = await createKeyPackage(laptop.me, trustInstance(instance));
  await inject(h, bob!, addProposals([laptopPackage.publicPackage]), honest);
  await refusedWithConflict(h, honest, 'banned');

  await sameState(h, [...honest, bob!]);
  assert.deepEqual((await alice!.engine.conversation(h.groupId)).members, [
    at('alice'),
    at('bob'),
    at('dave'),
  ]);
  await talks(h, dave!, [alice!, bob!], 'carol is still out');
});

test('a member changing the policy, straight into mailboxes: refused by all', async () => {
  const h = await household(['alice', 'bob', 'carol']);
  const { alice, bob, carol } = h.clients as Record<string, TestClient>;
  const honest = [alice!, carol!];
  // Bob computes the policy a `permissions` action yields, as an admin's client would,
  // and signs it as its author: only admins may take that action.
  const forged = await bob!.engine.run(async (ctx) => {
    const current = policyOf(await loadGroup(ctx, ctx.store, h.groupId))!;
    return encodePolicy({
      ...current,
      addMembers: 'members',
      editProfile: 'members',
      last: {
        action: { t: 'permissions', addMembers: 'members', editProfile: 'members' },
        by: at('bob'),
        resolved: [],
      },
    });
  });
  const proposal: Proposal = {
    proposalType: 'group_context_extensions',
    groupContextExtensions: {
      extensions: [{ extensionType: POLICY_EXTENSION_TYPE, extensionData: forged }],
    },
  };
  await inject(h, bob!, [proposal], honest);
  await refusedWithConflict(h, honest, 'admin_only');
  for (const c of honest) {
    const g = await c.engine.governance(h.groupId);
    assert.equal(g.addMembers, 'admins', `${c.name} keeps the policy`);
    assert.equal(g.last?.action, 'create');
  }
  await sameState(h, [...honest, bob!]);
  await talks(h, carol!, [alice!, bob!], 'the rules did not change');
});

test('a hub that accepted the forbidden commit: the conflict stays, commits fail clearly, leaving still works', async () => {
  const h = await household(['alice', 'bob', 'carol', 'dave']);
  const { alice, bob, carol, dave } = h.clients as Record<string, TestClient>;
  const honest = [alice!, carol!, dave!];
  const carolLeaf = await bob!.engine.run(async (ctx) => {
    const g = await loadGroup(ctx, ctx.store, h.groupId);
    return membersOf(g).find((m) => m.credential.user === 'carol')!.leaf;
  });
  // The FakeServer's hub does not check the policy: here it plays a misbehaving hub that
  // orders Bob's forbidden removal and delivers it to everyone.
  const commit = await hostileCommit(bob!.engine, h.groupId, removeProposals([carolLeaf]));
  await bob!.engine.run((ctx) =>
    ctx.transport.submit(h.groupId, { id: newMessageId(), message: toBase64Url(commit) }),
  );
  await refusedWithConflict(h, honest, 'remove_forbidden');
  const epoch = await alice!.engine.epoch(h.groupId);

  // No honest commit can follow the one the hub ordered: refused at once, clearly.
  await assert.rejects(
    alice!.engine.govern(h.groupId, { op: 'promote', person: 'dave' }),
    (err) => {
      assert.ok(err instanceof FoyerError);
      assert.equal(err.code, 'wrong_epoch');
      assert.match(err.message, /in conflict/);
      assert.equal(err.details?.['conflictRule'], 'remove_forbidden');
      return true;
    },
  );
  assert.equal(await alice!.engine.epoch(h.groupId), epoch);
  assert.equal((await alice!.engine.conversation(h.groupId)).conflictRule, 'remove_forbidden');
  // Messages still reach the honest members the hub delivers to.
  await talks(h, alice!, [dave!], 'the server ordered a forbidden change');
  await sameState(h, honest);

  // Leaving needs no commit then: Dave leaves on his device (his leave message still goes).
  await dave!.engine.leave(h.groupId);
  const left = await dave!.engine.conversation(h.groupId);
  assert.equal(left.status, 'left');
  assert.equal(left.conflict, undefined, 'a left conversation is no longer in conflict');
  assert.equal(
    (await dave!.engine.messages(h.groupId)).at(-1)?.text,
    'the server ordered a forbidden change',
  );
  // Removing the conversation works the same way.
  await carol!.engine.removeConversation(h.groupId);
  assert.equal((await carol!.engine.conversations()).length, 0);
  await alice!.engine.sync();
  assert.equal((await alice!.engine.conversation(h.groupId)).conflictRule, 'remove_forbidden');
});
