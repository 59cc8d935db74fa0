/**
 * The `foyer` admin commands as a person runs them: real processes (`node src/cli/main.ts`)
 * on a temporary data folder, the server on a loopback port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, childEnv, runFoyer } from '../helpers/server.ts';

const foyer = runFoyer;

/** Starts `foyer start` and resolves with the printed output once it listens. */
async function startServer(
  args: string[],
): Promise<{ proc: ChildProcess; url: string; output: () => string }> {
  const proc = spawn(
    process.execPath,
    [CLI, 'start', '--host', '127.0.0.1', '--port', '0', ...args],
    {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /^Foyer listening on (http:\/\/\S+)$/m.exec(out);
      if (m) resolveUrl(m[1] ?? '');
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`foyer start exited (${code}):\n${out}`)));
  });
  return { proc, url, output: () => out };
}

async function stop(
  proc: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (proc.exitCode !== null) return proc.exitCode;
  const exited = once(proc, 'exit');
  proc.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

function tempData(t: { after: (fn: () => void) => void }): string {
  const base = mkdtempSync(join(tmpdir(), 'foyer-cli-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  return join(base, 'data');
}

test('first start prints the admin invite; invite create and status work while it runs; SIGTERM stops it cleanly', async (t) => {
  const data = tempData(t);
  const server = await startServer(['--data', data, '--public-url', 'https://maison.example']);
  t.after(() => void stop(server.proc, 'SIGKILL'));
  // Standard output is not a terminal here (as under a service manager): the invite goes to a
  // file only its owner can read, and the output says where, without the code.
  const inviteFile = join(data, 'admin-invite.txt');
  assert.match(
    readFileSync(inviteFile, 'utf8'),
    /^https:\/\/maison\.example\/join#[A-Za-z0-9_-]{22}\n$/,
  );
  assert.equal(statSync(inviteFile).mode & 0o777, 0o600);
  assert.ok(server.output().includes(inviteFile));
  assert.doesNotMatch(server.output(), /join#/);

  const wellKnown = (await (await fetch(`${server.url}/.well-known/foyer`)).json()) as {
    domain: string;
  };
  assert.equal(wellKnown.domain, 'localhost');

  const before = Date.now();
  const invite = await foyer([
    'invite',
    'create',
    '--data',
    data,
    '--json',
    '--expires',
    '12h',
    '--public-url',
    'https://maison.example',
  ]);
  assert.equal(invite.code, 0, invite.stderr);
  const body = JSON.parse(invite.stdout) as {
    code: string;
    url: string;
    expiresAt: number;
    admin: boolean;
  };
  assert.match(body.code, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(body.url, `https://maison.example/join#${body.code}`);
  assert.equal(body.admin, false);
  assert.ok(
    body.expiresAt >= before + 12 * 3600_000 && body.expiresAt <= Date.now() + 12 * 3600_000,
  );

  // Without --public-url, the link comes from the running server's public URL.
  const text = await foyer(['invite', 'create', '--data', data, '--admin']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /^Admin invite \(single use, valid until .*\):\n {2}https:\/\/maison\.example\/join#[A-Za-z0-9_-]{22}\n$/,
  );

  const status = await foyer(['status', '--data', data, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout) as {
    users: { total: number };
    invites: { pending: number };
    keyMode: string;
  };
  assert.equal(s.users.total, 0);
  assert.equal(s.invites.pending, 3, 'first-start admin invite and the two just made');
  assert.equal(s.keyMode, 'key-file');

  assert.equal(await stop(server.proc), 0);
  assert.match(server.output(), /SIGTERM received, shutting down/);

  // A restart with an unused admin invite does not make another one.
  const again = await startServer(['--data', data]);
  t.after(() => void stop(again.proc, 'SIGKILL'));
  assert.doesNotMatch(again.output(), /join#/);
  assert.match(again.output(), /No account yet/);
  assert.equal(await stop(again.proc, 'SIGINT'), 0);
});

test('invite create: bad duration, missing database, JSON errors', async (t) => {
  const data = tempData(t);
  const missing = await foyer(['invite', 'create', '--data', data, '--json']);
  assert.equal(missing.code, 1);
  assert.deepEqual(Object.keys(JSON.parse(missing.stdout) as object), ['error']);
  assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'not_found');

  const bad = await foyer(['invite', 'create', '--data', data, '--expires', '7w']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--expires must be a duration like 30m, 12h or 7d .*got "7w"/);
  assert.equal(bad.stdout, '');

  const badJson = await foyer(['invite', 'create', '--data', data, '--expires', 'soon', '--json']);
  assert.equal(badJson.code, 2);
  const err = JSON.parse(badJson.stdout) as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'usage');
  assert.match(err.error.message, /--expires must be a duration/);
});

test('bad configuration values are reported with setting, source and expectation', async (t) => {
  const data = tempData(t);
  const fromEnv = await foyer(['start', '--data', data], { FOYER_PORT: 'abc' });
  assert.equal(fromEnv.code, 2);
  assert.match(fromEnv.stderr, /port \(from FOYER_PORT\) must be an integer 0-65535, got "abc"/);

  const fromFlag = await foyer(['status', '--data', data, '--max-users', 'lots', '--json']);
  assert.equal(fromFlag.code, 2);
  assert.match(
    (JSON.parse(fromFlag.stdout) as { error: { message: string } }).error.message,
    /maxUsers \(from --max-users\) must be an integer 1-10000, got "lots"/,
  );

  const unknownFlag = await foyer(['status', '--data', data, '--colour']);
  assert.equal(unknownFlag.code, 2);
  assert.match(unknownFlag.stderr, /Unknown option '--colour'/);

  const passFlag = await foyer(['start', '--data', data, '--passphrase', 'x']);
  assert.equal(passFlag.code, 2);
  assert.match(passFlag.stderr, /passphrase cannot be given as a flag/);
});

test('a wrong key stops start with a clear message and a non-zero exit', async (t) => {
  const data = tempData(t);
  const server = await startServer(['--data', data]);
  assert.equal(await stop(server.proc), 0);
  const keyFile = join(data, 'foyer.key');
  const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { version: number; key: string };
  writeFileSync(keyFile, JSON.stringify({ ...key, key: 'ab'.repeat(32) }));
  const run = await foyer(['start', '--data', data, '--port', '0']);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /^foyer: cannot unlock the database: the data key from .*foyer\.key does not open/,
  );
});

test('a port already in use is a clear failure, and the database is left closed', async (t) => {
  const data = tempData(t);
  const first = await startServer(['--data', data]);
  t.after(() => void stop(first.proc, 'SIGKILL'));
  const port = new URL(first.url).port;
  const second = await foyer(['start', '--data', `${data}-2`, '--port', port]);
  t.after(() => rmSync(`${data}-2`, { recursive: true, force: true }));
  assert.equal(second.code, 1);
  assert.match(
    second.stderr,
    new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`),
  );
  assert.equal(await stop(first.proc), 0);
});

test('key wrap moves the data key under a passphrase; commands then need it', async (t) => {
  const data = tempData(t);
  const server = await startServer(['--data', data]);
  assert.equal(await stop(server.proc), 0);
  const passphrase = { FOYER_DATA_PASSPHRASE: 'our family passphrase' };

  const wrap = await foyer(['key', 'wrap', '--data', data], passphrase);
  assert.equal(wrap.code, 0, wrap.stderr);
  assert.match(wrap.stdout, /protected by the passphrase/);

  const locked = await foyer(['status', '--data', data, '--json']);
  assert.equal(locked.code, 1);
  const err = JSON.parse(locked.stdout) as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'locked');
  assert.match(
    err.error.message,
    /^cannot unlock the database: .*protected by a passphrase.*FOYER_DATA_PASSPHRASE/,
  );

  const wrong = await foyer(['status', '--data', data], {
    FOYER_DATA_PASSPHRASE: 'not our passphrase',
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /cannot unlock the database: the passphrase does not open/);

  const ok = await foyer(['status', '--data', data, '--json'], passphrase);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { keyMode: string }).keyMode, 'passphrase');
});

test('help and unknown commands', async () => {
  const none = await foyer([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^Usage: foyer COMMAND/);

  const unknown = await foyer(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"[\s\S]*Usage: foyer COMMAND/);

  const help = await foyer(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /invite create/);

  const helpInvite = await foyer(['help', 'invite']);
  assert.equal(helpInvite.code, 0);
  assert.match(helpInvite.stdout, /--expires DURATION/);

  const helpFlag = await foyer(['status', '--help']);
  assert.equal(helpFlag.code, 0);
  assert.match(helpFlag.stdout, /^Usage: foyer status/);
});
