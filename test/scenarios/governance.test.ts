/**
 * Group governance against a real server: the CLI's group commands (roles, votes, profile)
 * as people use them, a vote that reaches its majority banning every device of a person,
 * seed 002's two admins banning each other at the same moment, concurrent profile edits
 * converging, and a data folder that holds no profile text or picture bytes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  at,
  client,
  clientOk,
  findMarkers,
  linkEngine,
  marker,
  nameMarker,
  registerCli,
  registerEngine,
  removeDirs,
  reopenEngine,
  scratchDir,
  startServer,
  type EngineClient,
  type ScenarioServer,
} from '../helpers/scenario.ts';

let server: ScenarioServer;
const dirs: string[] = [];
const engines: EngineClient[] = [];

function store(name: string): string {
  const dir = scratchDir(`client-${name}`);
  dirs.push(dir);
  return dir;
}

async function engine(name: string): Promise<EngineClient> {
  const c = await registerEngine(server, name);
  engines.push(c);
  dirs.push(c.dir);
  return c;
}

async function syncAll(clients: EngineClient[]): Promise<void> {
  // Twice: follow-up commits (a ban's removal) made in the first round are seen too.
  for (let round = 0; round < 2; round++) for (const c of clients) await c.engine.sync();
}

before(async () => {
  server = await startServer();
  dirs.push(server.dataDir);
  // The first account takes the administrator's invite; the others get fresh ones.
  await registerCli(server, store('admin'), nameMarker('admin'), server.adminInvite);
});
after(async () => {
  for (const c of engines) await c.engine.close();
  await server.stop();
  removeDirs(dirs);
});

test('cliAdminsPromoteVoteAndBanAcrossAllDevices', async () => {
  const [alice, bob, carol] = [store('alice'), store('bob'), store('carol')];
  const names = { alice: nameMarker('alice'), bob: nameMarker('bob'), carol: nameMarker('carol') };
  await registerCli(server, alice, names.alice);
  await registerCli(server, bob, names.bob);
  await registerCli(server, carol, names.carol);
  const dave = await engine(nameMarker('dave'));
  const daveLaptop = await linkEngine(server, dave);
  engines.push(daveLaptop);
  dirs.push(daveLaptop.dir);
  const members = [names.bob, names.carol, dave.name].join(',');
  const group = (await clientOk(alice, 'group', 'create', '--title', 'Home', '--members', members))
    .conversation as { id: string };
  const c = ['--conversation', group.id];
  const states = async () =>
    Object.fromEntries(
      (await clientOk(alice, 'group', 'members', ...c)).governance.members.map(
        (m: { address: string; state: string }) => [m.address, m.state],
      ),
    );
  // Nobody added has joined yet: all invited, until their devices are heard from.
  assert.deepEqual(await states(), {
    [at(names.alice)]: 'active',
    [at(names.bob)]: 'invited',
    [at(names.carol)]: 'invited',
    [at(dave.name)]: 'invited',
  });

  // A member may not remove another: refused with the policy's code, nothing changes.
  const refused = await client(bob, 'group', 'remove', ...c, '--members', names.carol);
  assert.equal(refused.code, 1);
  assert.equal(refused.json.error.code, 'forbidden_by_policy');
  assert.equal(refused.json.error.details.rule, 'remove_forbidden');
  // Bob's client joined the group on the way and said so.
  assert.equal((await states())[at(names.bob)], 'active');

  await clientOk(alice, 'group', 'promote', ...c, '--person', names.bob);
  // Two admins: one vote of the one eligible other admin is not more than half of two.
  await clientOk(alice, 'group', 'vote-ban', ...c, '--person', dave.name);
  let view = (await clientOk(carol, 'group', 'members', ...c)).governance;
  assert.deepEqual(
    view.members
      .filter((m: { role: string }) => m.role === 'admin')
      .map((m: { address: string }) => m.address),
    [at(names.alice), at(names.bob)].sort(),
  );
  assert.deepEqual(view.votes, [{ target: at(dave.name), kind: 'ban', voter: at(names.alice) }]);
  // Withdrawn, then cast again.
  await clientOk(alice, 'group', 'unvote', ...c, '--person', dave.name);
  assert.deepEqual((await clientOk(carol, 'group', 'members', ...c)).governance.votes, []);
  await clientOk(alice, 'group', 'vote-ban', ...c, '--person', dave.name);
  await clientOk(bob, 'group', 'vote-ban', ...c, '--person', dave.name);

  view = (await clientOk(carol, 'group', 'members', ...c)).governance;
  assert.deepEqual(view.bannedIdentities, [at(dave.name)]);
  assert.deepEqual(view.last.resolved, [
    { target: at(dave.name), kind: 'ban', voters: [at(names.alice), at(names.bob)].sort() },
  ]);
  assert.ok(
    view.members.every((m: { address: string }) => m.address !== at(dave.name)),
    'both of Dave’s devices were removed',
  );
  await syncAll([dave, daveLaptop]);
  for (const d of [dave, daveLaptop]) {
    assert.equal((await d.engine.conversation(group.id)).status, 'removed');
  }
  // Adding Dave back is refused until a majority lifts the ban.
  const readd = await client(alice, 'group', 'add', ...c, '--members', dave.name);
  assert.equal(readd.json.error.code, 'forbidden_by_policy');
  await clientOk(alice, 'group', 'unban', ...c, '--person', dave.name);
  await clientOk(bob, 'group', 'unban', ...c, '--person', dave.name);
  assert.deepEqual(
    (await clientOk(carol, 'group', 'members', ...c)).governance.bannedIdentities,
    [],
  );
});

test('twoAdminsBanEachOtherAtOnceAndEveryoneAgrees', async () => {
  const [alice, bob, carol, denys] = [
    await engine(nameMarker('alice')),
    await engine(nameMarker('bob')),
    await engine(nameMarker('carol')),
    await engine(nameMarker('denys')),
  ];
  const group = await alice.engine.createGroup('swarm', [bob.name, carol.name, denys.name]);
  await alice.engine.govern(group.id, { op: 'promote', person: denys.name });
  await syncAll([bob, carol, denys]);

  const outcomes = await Promise.allSettled([
    alice.engine.govern(group.id, { op: 'vote-ban', person: denys.name }),
    denys.engine.govern(group.id, { op: 'vote-ban', person: alice.name }),
  ]);
  assert.equal(
    outcomes.filter((o) => o.status === 'fulfilled').length,
    1,
    'exactly one of the two bans took effect',
  );
  const [winner, loser] = outcomes[0]!.status === 'fulfilled' ? [alice, denys] : [denys, alice];
  await syncAll([alice, bob, carol, denys]);
  const views = await Promise.all([winner, bob, carol].map((x) => x.engine.governance(group.id)));
  for (const v of views) {
    assert.deepEqual(v.bannedIdentities, [at(loser.name)]);
    assert.deepEqual(v.last?.resolved, [
      { target: at(loser.name), kind: 'ban', voters: [at(winner.name)] },
    ]);
    assert.deepEqual(
      v.members.map((m) => m.address),
      [winner, bob, carol].map((x) => at(x.name)).sort(),
    );
  }
  assert.equal((await loser.engine.conversation(group.id)).status, 'removed');
  assert.ok(loser.events.some((e) => e.type === 'conversation_removed'));
});

test('profileEditsRaceAndConvergeAndTheServerNeverSeesThem', async () => {
  const [alice, bob, carol] = [
    await engine(nameMarker('alice')),
    await engine(nameMarker('bob')),
    await engine(nameMarker('carol')),
  ];
  const group = await alice.engine.createGroup('profile', [bob.name, carol.name]);
  await alice.engine.govern(group.id, { op: 'promote', person: bob.name });
  await syncAll([bob, carol]);

  const texts = [marker('title-a'), marker('desc-a'), marker('title-b'), marker('desc-b')];
  const pictureMarker = marker('picture');
  const picture = new TextEncoder().encode(`PNG…${pictureMarker}…`);
  await Promise.all([
    alice.engine.setProfile(group.id, { title: texts[0]!, description: texts[1]!, picture }),
    bob.engine.setProfile(group.id, { title: texts[2]!, description: texts[3]!, picture }),
  ]);
  await syncAll([alice, bob, carol]);
  const seen = await Promise.all(
    [alice, bob, carol].map(async (x) => (await x.engine.conversation(group.id)).profile),
  );
  assert.ok(seen[0] !== undefined && [texts[0], texts[2]].includes(seen[0].title));
  assert.deepEqual(seen[1], seen[0], 'Bob sees the same profile');
  assert.deepEqual(seen[2], seen[0], 'Carol sees the same profile');

  // Through the CLI too, with a picture file: shown to members, never readable by the server.
  const dana = store('dana');
  const danaName = nameMarker('dana');
  await registerCli(server, dana, danaName);
  const cli = (await clientOk(dana, 'group', 'create', '--title', 'x', '--members', carol.name))
    .conversation as { id: string };
  const file = join(scratchDir('picture'), 'p.png');
  dirs.push(join(file, '..'));
  const cliTitle = marker('cli-title');
  writeFileSync(file, `PNG…${pictureMarker}…`);
  await clientOk(
    dana,
    'group',
    'profile',
    '--conversation',
    cli.id,
    '--title',
    cliTitle,
    '--picture',
    file,
  );
  await carol.engine.sync();
  assert.equal((await carol.engine.conversation(cli.id)).profile?.title, cliTitle);
  writeFileSync(file, new Uint8Array(48 * 1024 + 1));
  const big = await client(dana, 'group', 'profile', '--conversation', cli.id, '--picture', file);
  assert.equal(big.json.error.code, 'payload_too_large');

  assert.deepEqual(findMarkers([server.dataDir], [...texts, pictureMarker, cliTitle]), []);
});

test('removedConversationsStayRemovedOnAllDevicesAfterRestarts', async () => {
  let alice = await engine(nameMarker('alice'));
  let laptop = await linkEngine(server, alice);
  dirs.push(laptop.dir);
  const bob = await engine(nameMarker('bob'));
  // Bob's group (the last admin could not leave it: see the leave rule).
  const group = await bob.engine.createGroup('to remove', [alice.name]);
  await syncAll([alice, laptop]);
  assert.equal((await laptop.engine.conversation(group.id)).status, 'active');

  await alice.engine.removeConversation(group.id);
  await syncAll([laptop, bob, alice]);
  for (const c of [alice, laptop]) {
    assert.ok(
      (await c.engine.conversations()).every((x) => x.id !== group.id),
      'hidden on every device of the user',
    );
  }
  // Bob saw the leave and removed both of Alice's devices; what he sends later is ignored.
  assert.deepEqual((await bob.engine.conversation(group.id)).members, [at(bob.name)]);
  await bob.engine.send(group.id, marker('after'));

  // Restart both devices (the engines list owns what is still open at the end).
  engines.splice(engines.indexOf(alice), 1);
  alice = await reopenEngine(alice);
  laptop = await reopenEngine(laptop);
  engines.push(alice, laptop);
  await syncAll([alice, laptop]);
  for (const c of [alice, laptop]) {
    assert.ok((await c.engine.conversations()).every((x) => x.id !== group.id));
  }
});
