/**
 * The command-line client as a person uses it, one process per command, against a real
 * server: one session for all of a device's commands, reading commands that fetch first,
 * and what a member removed from a group sees.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  client,
  clientOk,
  marker,
  PASSPHRASE,
  registerCli,
  removeDirs,
  scratchDir,
  startServer,
  type ScenarioServer,
} from '../helpers/scenario.ts';
import { runFoyer } from '../helpers/server.ts';

let server: ScenarioServer;
const dirs: string[] = [];

function store(name: string): string {
  const dir = scratchDir(`client-${name}`);
  dirs.push(dir);
  return dir;
}

before(async () => {
  server = await startServer();
  dirs.push(server.dataDir);
});
after(async () => {
  await server.stop();
  removeDirs(dirs);
});

test('aDeviceReusesOneSessionAcrossCommands', async () => {
  const alice = store('alice');
  const bob = store('bob');
  await registerCli(server, alice, 'alice', server.adminInvite);
  await registerCli(server, bob, 'bob');
  const before = await server.sessions();
  const direct = (await clientOk(alice, 'open', 'bob')).conversation as { id: string };
  await clientOk(alice, 'send', '--conversation', direct.id, '--text', marker('s'));
  await clientOk(alice, 'sync');
  await clientOk(alice, 'devices');
  await clientOk(bob, 'sync');
  await clientOk(bob, 'messages', '--conversation', direct.id);
  await clientOk(alice, 'sync');
  assert.equal(await server.sessions(), before, 'no command opened a new session');
  assert.equal(before, 2, 'one session per device');
});

test('readingCommandsFetchFirst', async () => {
  const carol = store('carol');
  const dave = store('dave');
  await registerCli(server, carol, 'carol');
  await registerCli(server, dave, 'dave');
  const group = (await clientOk(dave, 'group', 'create', '--title', 'Picnic', '--members', 'carol'))
    .conversation as { id: string };
  const text = marker('picnic');
  await clientOk(dave, 'send', '--conversation', group.id, '--text', text);

  // --offline shows only what this device already holds: nothing yet.
  assert.deepEqual((await clientOk(carol, 'conversations', '--offline')).conversations, []);
  const offline = await client(carol, 'messages', '--conversation', group.id, '--offline');
  assert.equal(offline.code, 1);
  assert.equal(offline.json.error.code, 'not_found');

  // Without it, the reading commands fetch first: no `sync` needed.
  const convs = (await clientOk(carol, 'conversations')).conversations as Array<{ id: string }>;
  assert.deepEqual(
    convs.map((c) => c.id),
    [group.id],
  );
  const second = marker('second');
  await clientOk(dave, 'send', '--conversation', group.id, '--text', second);
  const msgs = (await clientOk(carol, 'messages', '--conversation', group.id)).messages as Array<{
    text: string;
  }>;
  assert.deepEqual(
    msgs.map((m) => m.text),
    [text, second],
  );
});

test('aRemovedMemberSeesSheWasRemoved', async () => {
  const erin = store('erin');
  const frank = store('frank');
  const gina = store('gina');
  await registerCli(server, erin, 'erin');
  await registerCli(server, frank, 'frank');
  await registerCli(server, gina, 'gina');
  const group = (
    await clientOk(erin, 'group', 'create', '--title', 'Club', '--members', 'frank,gina')
  ).conversation as { id: string };
  assert.equal((await clientOk(gina, 'conversations')).conversations.length, 1);
  await clientOk(erin, 'group', 'remove', '--conversation', group.id, '--members', 'gina');

  const synced = await runFoyer(['client', 'sync', '--store', gina], {
    FOYER_PASSPHRASE: PASSPHRASE,
  });
  assert.equal(synced.code, 0, synced.stderr);
  assert.match(synced.stdout, new RegExp(`You were removed from conversation ${group.id}\\.`));
  const [seen] = (await clientOk(gina, 'conversations')).conversations as Array<{
    status: string;
    members: string[];
  }>;
  assert.equal(seen?.status, 'removed');
  assert.deepEqual(
    seen?.members.map((m) => m.split('@')[0]),
    ['erin', 'frank'],
  );
});
