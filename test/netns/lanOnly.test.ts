/**
 * With the internet down, the household keeps chatting over the home network: the server runs
 * in a namespace whose only link is the home link (no default route, no DNS), and phones on
 * that link register and exchange messages by its LAN address. Needs root (namespaces).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, childEnv, createInvite, removeDir, tempDir } from '../helpers/server.ts';
import { createHomeLink, netnsUnavailable } from '../helpers/netns.ts';
import { marker, nameMarker, PASSPHRASE } from '../helpers/scenario.ts';

test('lanOnlyHouseholdKeepsChattingWithoutInternet', { skip: netnsUnavailable }, async (t) => {
  const link = createHomeLink();
  const dir = tempDir();
  t.after(() => {
    link.remove();
    removeDir(dir);
  });
  // No route beyond the home link in either namespace.
  assert.doesNotMatch(link.routes(link.server), /default/);
  assert.doesNotMatch(link.routes(link.phone), /default/);

  const data = join(dir, 'data');
  const url = `http://${link.serverAddress}:8080`;
  const server = link.spawnIn(
    link.server,
    process.execPath,
    [
      CLI,
      'start',
      '--data',
      data,
      '--host',
      link.serverAddress,
      '--port',
      '8080',
      '--public-url',
      url,
    ],
    { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  t.after(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', () => {
      if (out.includes('listening on')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });

  const phone = async (store: string, ...args: string[]): Promise<any> => {
    const p = link.spawnIn(
      link.phone,
      process.execPath,
      [CLI, 'client', ...args, '--store', store, '--json'],
      {
        env: childEnv({ FOYER_PASSPHRASE: PASSPHRASE }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(p, 'close')) as [number | null];
    assert.equal(code, 0, `foyer client ${args[0]} failed: ${stdout}${stderr}`);
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  };
  const aliceStore = join(dir, 'alice');
  const bobStore = join(dir, 'bob');
  const alice = nameMarker('alice');
  const bob = nameMarker('bob');
  const adminLink = readFileSync(join(data, 'admin-invite.txt'), 'utf8').trim();
  assert.ok(adminLink.startsWith(`${url}/join#`), adminLink);
  await phone(aliceStore, 'register', '--invite', adminLink, '--name', alice);
  await phone(bobStore, 'register', '--server', url, '--invite', createInvite(data), '--name', bob);
  const { conversation } = await phone(aliceStore, 'open', bob);
  const text = marker('lan');
  assert.equal(
    (await phone(aliceStore, 'send', '--conversation', conversation.id, '--text', text)).message
      .state,
    'sent',
  );
  const got = await phone(bobStore, 'messages', '--conversation', conversation.id);
  assert.deepEqual(
    got.messages.map((m: { text: string }) => m.text),
    [text],
  );
});
