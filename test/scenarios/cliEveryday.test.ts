/**
 * The command-line client as a person uses it, one process per command, against a real
 * server: one session for all of a device's commands, reading commands that fetch first,
 * and what a member removed from a group sees.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clientOk,
  marker,
  registerCli,
  removeDirs,
  scratchDir,
  startServer,
  type ScenarioServer,
} from '../helpers/scenario.ts';

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
