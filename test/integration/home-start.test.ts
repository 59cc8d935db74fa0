/**
 * Running Foyer as a new user would: one server per data folder (refused twice, never blocked
 * by a crash), `foyer status` telling whether and where it runs, invite links with the real
 * port, separate passphrase names for the data and the client, a version everywhere, a
 * health check that reads the database, and clean human output at the first start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  removeDir,
  runFoyer,
  startServerProcess,
  tempDir,
  type ServerProcess,
} from '../helpers/server.ts';

const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

interface StatusJson {
  server: {
    running: boolean;
    url?: string;
    startedAt?: number;
    pid?: number;
    lastStartedAt?: number;
  };
  invites: { pending: number };
}

async function status(dataDir: string): Promise<StatusJson> {
  const r = await runFoyer(['status', '--data', dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatusJson;
}

test('a second start on a running data folder refuses and changes nothing; a crash leaves no stale lock', async (t) => {
  const server = await startServerProcess();
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const running = await status(server.dataDir);
  assert.equal(running.server.running, true);
  assert.equal(running.server.url, server.url);
  assert.equal(running.server.pid, server.proc.pid);
  assert.ok(Math.abs(Date.now() - (running.server.startedAt ?? 0)) < 120_000);
  const human = await runFoyer(['status', '--data', server.dataDir]);
  assert.match(human.stdout, new RegExp(`^Server +running on ${server.url} since 20`, 'm'));

  const second = await runFoyer(['start', '--data', server.dataDir, '--port', '0']);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /another Foyer server is already running on the data folder/);
  assert.ok(second.stderr.includes(`listening on ${server.url}`), second.stderr);
  assert.doesNotMatch(second.stdout, /listening on/);
  // It made no invite and did not replace the first server's record.
  assert.equal((await status(server.dataDir)).invites.pending, running.invites.pending);
  assert.equal((await status(server.dataDir)).server.pid, server.proc.pid);
  // The first server still serves.
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

  await server.kill9();
  const crashed = await status(server.dataDir);
  assert.equal(crashed.server.running, false);
  assert.equal(crashed.server.lastStartedAt, running.server.startedAt);
  assert.match(
    (await runFoyer(['status', '--data', server.dataDir])).stdout,
    /^Server +not running \(last started .*did not stop cleanly\)/m,
  );

  const again = await startServerProcess({ dataDir: server.dataDir });
  t.after(() => again.stop());
  assert.equal((await status(server.dataDir)).server.pid, again.proc.pid);
  await again.stop();
  assert.equal(existsSync(join(server.dataDir, 'foyer.run.json')), false);
  assert.equal((await status(server.dataDir)).server.running, false);
});

test('invite links carry the running port, or the configured public URL', async (t) => {
  const server = await startServerProcess();
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const port = new URL(server.url).port;
  assert.notEqual(port, '8080');
  const plain = await runFoyer(['invite', 'create', '--data', server.dataDir, '--json']);
  assert.equal(plain.code, 0, plain.stderr);
  const url = new URL((JSON.parse(plain.stdout) as { url: string }).url);
  assert.equal(url.port, port, 'the link must reach the server that runs, not the default port');
  const registered = await fetch(`${server.url}/.well-known/foyer`);
  assert.equal(registered.status, 200);

  writeFileSync(
    join(server.dataDir, 'foyer.json'),
    JSON.stringify({ publicUrl: 'https://foyer.maison.example' }),
  );
  const configured = await runFoyer(['invite', 'create', '--data', server.dataDir, '--json']);
  assert.equal(configured.code, 0, configured.stderr);
  assert.match(
    (JSON.parse(configured.stdout) as { url: string }).url,
    /^https:\/\/foyer\.maison\.example\/join#/,
  );
});

test('the client passphrase never picks passphrase mode; the data passphrase has its own name', async (t) => {
  const keyFileDir = tempDir();
  const wrappedDir = tempDir();
  const servers: ServerProcess[] = [];
  t.after(async () => {
    for (const s of servers) await s.stop();
    removeDir(keyFileDir);
    removeDir(wrappedDir);
  });
  // Someone exported FOYER_PASSPHRASE for their client, then started a fresh server.
  const clientEnv = { FOYER_PASSPHRASE: 'my client store phrase' };
  const a = await startServerProcess({ dataDir: keyFileDir, env: clientEnv });
  servers.push(a);
  assert.match(a.output(), /^Data key: key file .*foyer\.key/m);
  assert.equal(existsSync(join(keyFileDir, 'foyer.key')), true);
  assert.equal(existsSync(join(keyFileDir, 'foyer.key.wrapped')), false);
  // And can still run admin commands with it exported.
  const st = await runFoyer(['status', '--data', keyFileDir], clientEnv);
  assert.equal(st.code, 0, st.stderr);

  const dataEnv = { FOYER_DATA_PASSPHRASE: 'our household data phrase' };
  const b = await startServerProcess({ dataDir: wrappedDir, env: dataEnv });
  servers.push(b);
  assert.match(b.output(), /^Data key: protected by a passphrase \(from FOYER_DATA_PASSPHRASE\)/m);
  assert.equal(existsSync(join(wrappedDir, 'foyer.key.wrapped')), true);
  const ok = await runFoyer(['status', '--data', wrappedDir], dataEnv);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stderr, '');
  // The old name still opens a passphrase-mode folder, with a warning.
  const legacy = await runFoyer(['status', '--data', wrappedDir], {
    FOYER_PASSPHRASE: 'our household data phrase',
  });
  assert.equal(legacy.code, 0, legacy.stderr);
  assert.match(legacy.stderr, /warning: .*FOYER_PASSPHRASE.*set FOYER_DATA_PASSPHRASE instead/);
});

test('a version everywhere, a health check on the database, no JSON in the first start text', async (t) => {
  const v = await runFoyer(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), `foyer ${VERSION}`);

  // At the default log level, where Fastify would log its own "Server listening" line.
  const server = await startServerProcess({ env: { FOYER_LOG_LEVEL: 'info' } });
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const first = server.output();
  assert.match(first, /This is a new Foyer instance/);
  assert.match(first, new RegExp(`^Foyer ${VERSION.replaceAll('.', '\\.')}, data folder `, 'm'));
  for (const line of first.split('\n'))
    assert.ok(!line.trimStart().startsWith('{'), `JSON line in: ${first}`);

  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok', version: VERSION, database: 'ok' });
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.ok(metrics.includes(`foyer_build_info{version="${VERSION}"} 1`), metrics);
  const wk = (await (await fetch(`${server.url}/.well-known/foyer`)).json()) as {
    software: string;
  };
  assert.equal(wk.software, `foyer/${VERSION}`);
});
