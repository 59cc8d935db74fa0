/**
 * `foyer setup` answered through standard input (as a person types, wrong answers included),
 * unattended with --yes, and run again to edit; `foyer doctor` on a healthy and a broken setup.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLI,
  childEnv,
  removeDir,
  runFoyer,
  startServerProcess,
  tempDir,
  type RunResult,
} from '../helpers/server.ts';

async function foyerWithInput(args: string[], input: string): Promise<RunResult> {
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: childEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdin.end(input);
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stdout, stderr };
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

test('the wizard asks, re-asks a wrong answer, writes foyer.json and says what to do next', async (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const data = join(dir, 'data');
  const answers = [
    'Maison.Example', // not lowercase: asked again
    'maison.example',
    '', // host: 0.0.0.0
    'proxy', // HTTPS by a reverse proxy
    '99999', // port out of range: asked again
    '8443',
    '', // public URL: suggested https://maison.example
    'maybe', // LAN announcement: not yes or no, asked again
    'yes',
    'sometimes', // router port mapping: not an answer, asked again
    'yes',
    'passphrase',
    '12',
    join(dir, 'backups'),
    '', // keep 7
  ].join('\n');
  const r = await foyerWithInput(['setup', '--data', data], `${answers}\n`);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /the part after "@"/);
  assert.match(r.stdout, /not valid: expected a lowercase domain name/);
  assert.match(r.stdout, /not valid: expected an integer 0-65535/);
  assert.match(r.stdout, /publicUrl \[https:\/\/maison\.example\]/);
  const file = join(data, 'foyer.json');
  assert.deepEqual(readJson(file), {
    domain: 'maison.example',
    host: '0.0.0.0',
    tls: 'proxy',
    port: 8443,
    publicUrl: 'https://maison.example',
    lanAnnounce: true,
    portMapping: 'auto',
    maxUsers: 12,
    backupDir: join(dir, 'backups'),
    backupKeep: 7,
  });
  assert.match(
    r.stdout,
    /Next steps:\n {2}1\. Start Foyer once with the data passphrase set: FOYER_DATA_PASSPHRASE=/,
  );
  assert.match(r.stdout, /not valid: answer yes or no \(or upnp, natpmp\)/);
  assert.match(r.stdout, /Make sure UPnP \(or NAT-PMP\) is enabled on the router/);
  assert.match(r.stdout, /foyer doctor --data/);
  // The file is what `start` reads: the configuration loads as written.
  const status = await runFoyer(['doctor', '--data', data, '--json']);
  assert.match(status.stdout, /"name":"database","status":"fail"/, 'no database yet');

  // Run again: the current values are the suggestions; change only the user cap.
  const again = await foyerWithInput(
    ['setup', '--data', data],
    ['', '', '', '', '', '', '', '', '20', '', ''].join('\n') + '\n',
  );
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /Editing the Foyer configuration/);
  assert.match(again.stdout, /domain \[maison\.example\]/);
  assert.equal(readJson(file).maxUsers, 20);
  assert.equal(readJson(file).port, 8443);
  assert.equal(readJson(file).portMapping, 'auto', 'kept as it was');

  // End of input before the last answer: nothing is written.
  const cut = await foyerWithInput(['setup', '--data', join(dir, 'other')], 'home.example\n');
  assert.equal(cut.code, 2);
  assert.match(cut.stderr, /setup stopped: no answer to "host" \(nothing was written\)/);
  assert.equal(existsSync(join(dir, 'other', 'foyer.json')), false);
});

test('setup --yes runs unattended from flags and suggestions, and refuses a bad flag without writing', async (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const data = join(dir, 'data');
  const ok = await runFoyer([
    'setup',
    '--yes',
    '--data',
    data,
    '--domain',
    'famille.example',
    '--port',
    '8080',
    '--backup-dir',
    'none',
  ]);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  assert.doesNotMatch(ok.stdout, /\[.*\]: /, 'no question was asked');
  assert.deepEqual(readJson(join(data, 'foyer.json')), {
    domain: 'famille.example',
    host: '0.0.0.0',
    tls: 'off',
    port: 8080,
    publicUrl: 'http://famille.example:8080',
    lanAnnounce: false,
    portMapping: 'off',
    maxUsers: 25,
    backupKeep: 7,
  });
  assert.match(ok.stdout, /Browsers refuse the web app over plain http on a name/);
  const before = readFileSync(join(data, 'foyer.json'), 'utf8');
  const bad = await runFoyer(['setup', '--yes', '--data', data, '--max-users', 'many']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /nothing was written:\n.*--max-users: expected an integer 1-10000/);
  assert.equal(readFileSync(join(data, 'foyer.json'), 'utf8'), before);
});

test('doctor: a healthy loopback setup passes; a server unreachable at its public URL fails with advice', async (t) => {
  const server = await startServerProcess();
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const port = new URL(server.url).port;
  const good = await runFoyer([
    'doctor',
    '--data',
    server.dataDir,
    '--public-url',
    server.url,
    '--port',
    port,
    '--backup-dir',
    join(server.dataDir, '..', 'none-yet'),
  ]);
  const report = JSON.parse(
    (await runFoyer(['doctor', '--data', server.dataDir, '--public-url', server.url, '--json']))
      .stdout,
  ) as {
    ok: boolean;
    checks: Array<{ name: string; status: string }>;
  };
  assert.equal(report.ok, true, JSON.stringify(report));
  const byName = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
  assert.equal(byName.database, 'ok');
  assert.equal(byName.server, 'ok');
  assert.equal(byName['public address'], 'ok');
  assert.equal(byName.clock, 'ok');
  assert.equal(byName.disk === 'ok' || byName.disk === 'warn', true);
  assert.match(good.stdout, /WARN {2}backups: no backup in .*none-yet/);

  // People are sent to an address where nothing answers (a closed loopback port).
  const bad = await runFoyer([
    'doctor',
    '--data',
    server.dataDir,
    '--public-url',
    'http://127.0.0.1:9',
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /FAIL {2}public address: http:\/\/127\.0\.0\.1:9 does not answer/);
  assert.match(bad.stdout, /→ check the public URL/);
});
