/**
 * Backups under load: `foyer backup` while the server serves a sender, restore into an empty
 * folder, and the household carries on from the restored server without registering again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findMarkers,
  marker,
  nameMarker,
  registerEngine,
  removeDirs,
  scratchDir,
  type EngineClient,
  tearDown,
} from '../helpers/scenario.ts';
import { runFoyer, startServerProcess, type ServerProcess } from '../helpers/server.ts';

interface Counts {
  users: { total: number };
  devices: { active: number };
  groups: number;
  mailboxes: { queued: number };
}

async function counts(dataDir: string): Promise<Counts> {
  const r = await runFoyer(['status', '--data', dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Counts;
}

test('backupUnderLoadRestoresEveryAccountHubAndQueuedMessage', async (t) => {
  const work = scratchDir('backup');
  let server: ServerProcess = await startServerProcess();
  const clients: EngineClient[] = [];
  t.after(() => tearDown([server], clients, [work]));
  const port = new URL(server.url).port;
  const alice = await registerEngine(server, nameMarker('alice'), server.adminInvite);
  const bob = await registerEngine(server, nameMarker('bob'));
  clients.push(alice, bob);
  const conv = await alice.engine.openDirect(bob.name);
  // Bob stays offline: everything alice sends waits in his mailbox.
  const before = Array.from({ length: 20 }, (_, i) => `${marker('before')}-${i}`);
  for (const text of before) assert.equal((await alice.engine.send(conv.id, text)).state, 'sent');
  const atBackup = await counts(server.dataDir);

  // Load: alice keeps sending while the backup runs in another process.
  let sending = true;
  const during: string[] = [];
  const load = (async () => {
    for (let i = 0; sending; i++) {
      const text = `${marker('during')}-${i}`;
      during.push(text);
      await alice.engine.send(conv.id, text);
    }
  })();
  const file = join(work, 'household.foyerbak');
  const backup = await runFoyer(['backup', '--data', server.dataDir, '--out', file]);
  sending = false;
  await load;
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /Backup written to .*household\.foyerbak/);
  assert.ok(during.length > 0, 'the server served while the backup ran');
  // The server kept serving: a message after the backup is accepted too.
  assert.equal((await alice.engine.send(conv.id, marker('after'))).state, 'sent');
  assert.deepEqual(findMarkers([file], [...before, ...during, alice.name, bob.name]), []);
  // A second backup to the same name is refused, the first stays.
  const again = await runFoyer(['backup', '--data', server.dataDir, '--out', file]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);

  await server.stop();
  const restoredDir = join(work, 'restored');
  const noKey = await runFoyer(['restore', file, '--data', restoredDir]);
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /--key/);
  assert.equal(existsSync(restoredDir), false, 'a failed restore leaves nothing behind');
  const notEmpty = scratchDir('not-empty');
  writeFileSync(join(notEmpty, 'something'), 'x');
  const refused = await runFoyer([
    'restore',
    file,
    '--data',
    notEmpty,
    '--key',
    join(server.dataDir, 'foyer.key'),
  ]);
  removeDirs([notEmpty]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /not empty/);

  // The key file is kept apart from the backup, as the docs ask.
  const keyCopy = join(work, 'foyer.key');
  copyFileSync(join(server.dataDir, 'foyer.key'), keyCopy);
  const restore = await runFoyer(['restore', file, '--data', restoredDir, '--key', keyCopy]);
  assert.equal(restore.code, 0, restore.stderr);
  const restored = await counts(restoredDir);
  assert.equal(restored.users.total, atBackup.users.total);
  assert.equal(restored.devices.active, atBackup.devices.active);
  assert.equal(restored.groups, atBackup.groups);
  assert.ok(restored.mailboxes.queued >= atBackup.mailboxes.queued);

  // The same address, the restored folder: bob's device syncs with its old registration.
  server = await startServerProcess({ dataDir: restoredDir, args: ['--port', port] });
  await bob.engine.sync();
  const got = (await bob.engine.messages(conv.id)).map((m) => m.text);
  assert.deepEqual(got.slice(0, before.length), before, 'every message queued before the backup');
  const duringGot = got.slice(before.length);
  assert.deepEqual(duringGot, during.slice(0, duringGot.length), 'a prefix of the load, in order');
  // And the conversation goes on, both ways.
  const reply = marker('reply');
  assert.equal((await bob.engine.send(conv.id, reply)).state, 'sent');
  await alice.engine.sync();
  assert.ok((await alice.engine.messages(conv.id)).some((m) => m.text === reply));
});

test('a backup made with a backup passphrase restores without the key file; damaged copies are refused', async (t) => {
  const work = scratchDir('backup-pass');
  const server = await startServerProcess();
  t.after(async () => {
    await server.stop();
    removeDirs([work, server.dataDir]);
  });
  const pass = { FOYER_BACKUP_PASSPHRASE: 'our backup passphrase' };
  const file = join(work, 'b.foyerbak');
  const made = await runFoyer(
    ['backup', '--data', server.dataDir, '--out', file, '--with-passphrase'],
    pass,
  );
  assert.equal(made.code, 0, made.stderr);
  const wrong = await runFoyer(['restore', file, '--data', join(work, 'x')], {
    FOYER_BACKUP_PASSPHRASE: 'not the passphrase',
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /cannot unlock/);
  const ok = await runFoyer(['restore', file, '--data', join(work, 'r'), '--json'], pass);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { keyMode: string }).keyMode, 'key-file');
  assert.equal((await counts(join(work, 'r'))).users.total, 0);

  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(file);
  const cut = join(work, 'cut.foyerbak');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
  const bad = await runFoyer(['restore', cut, '--data', join(work, 'c')], pass);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /damaged or incomplete/);
  assert.equal(existsSync(join(work, 'c')), false);
});

test('the daily backup runs at start when none is recent, and keeps the newest N', async (t) => {
  const work = scratchDir('backup-daily');
  const dir = join(work, 'backups');
  mkdirSync(dir);
  // Three old scheduled backups (names sort by time) and an unrelated file.
  for (const name of [
    'foyer-20250101-030000.foyerbak',
    'foyer-20250102-030000.foyerbak',
    'foyer-20250103-030000.foyerbak',
    'notes.txt',
  ])
    writeFileSync(join(dir, name), 'old');
  const { utimesSync } = await import('node:fs');
  for (const n of readdirSync(dir))
    utimesSync(join(dir, n), new Date('2025-01-03'), new Date('2025-01-03'));
  const server = await startServerProcess({ args: ['--backup-dir', dir, '--backup-keep', '2'] });
  t.after(async () => {
    await server.stop();
    removeDirs([work, server.dataDir]);
  });
  const deadline = Date.now() + 30_000;
  let names: string[] = [];
  while (Date.now() < deadline) {
    names = readdirSync(dir).sort();
    if (!names.includes('foyer-20250102-030000.foyerbak') && names.length === 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(names.length, 3, names.join(', '));
  assert.equal(names[0], 'foyer-20250103-030000.foyerbak');
  assert.match(names[1]!, /^foyer-\d{8}-\d{6}\.foyerbak$/);
  assert.equal(names[2], 'notes.txt');
  // The new one is a real backup of this folder.
  const restore = await runFoyer([
    'restore',
    join(dir, names[1]!),
    '--data',
    join(work, 'r'),
    '--key',
    join(server.dataDir, 'foyer.key'),
  ]);
  assert.equal(restore.code, 0, restore.stderr);
});
