/**
 * `foyer user list` and `foyer user remove` as an admin runs them: real CLI processes against
 * the data folder of a RUNNING server, whose devices are real (keys, sessions, an MLS group,
 * a WebSocket). A removal made by the other process must reach the server: sessions refused,
 * sockets closed, nothing delivered any more; the name can then be registered again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ApiDevice, trustInstance } from '../helpers/apiDevice.ts';
import {
  CLI,
  createInvite,
  removeDir,
  startServerProcess,
  type ServerProcess,
} from '../helpers/server.ts';
import { generateSignatureKeyPair, signDeviceBinding } from '../../src/shared/mls/keys.ts';
import { addMembers, createGroup, encryptMessage, type Group } from '../../src/shared/mls/group.ts';
import { openDatabase } from '../../src/server/storage/database.ts';
import {
  equalBytes,
  fromBase64Url,
  randomBytes,
  toBase64Url,
  utf8,
} from '../../src/shared/protocol/bytes.ts';
import type { ClaimedKeyPackages, UserInfo } from '../../src/shared/protocol/api.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `foyer ARGS` as a separate process, stdin not a terminal. */
async function foyer(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('FOYER_')) delete env[key];
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: { ...env, FOYER_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  proc.stdin.end();
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Polls `check` until it returns true; fails after `ms`. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A second device of `first`'s user, registered by `first` and logged in. */
async function addDevice(first: ApiDevice): Promise<ApiDevice> {
  const d = new ApiDevice(first.url);
  d.name = first.name;
  d.identity = first.identity;
  d.signature = await generateSignatureKeyPair();
  const domain = (await d.call<{ domain: string }>('GET', '/.well-known/foyer')).body.domain;
  const identitySignature = await signDeviceBinding(d.identity, {
    user: d.name,
    domain,
    deviceId: d.id,
    deviceKey: d.signature.publicKey,
    identityKey: d.identity.publicKey,
  });
  const r = await first.call<{ credential: string }>('POST', '/api/v1/devices', {
    id: d.id,
    signatureKey: toBase64Url(d.signature.publicKey),
    identityKey: toBase64Url(d.identity.publicKey),
    identitySignature: toBase64Url(identitySignature),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  d.credential = fromBase64Url(r.body.credential)!;
  d.instanceKey = first.instanceKey;
  d.trust = trustInstance(d.instanceKey);
  await d.login();
  return d;
}

/** Mailbox rows queued for these devices, read from the database beside the server. */
function queuedFor(server: ServerProcess, deviceIds: string[]): number {
  const db = openDatabase({ dataDir: server.dataDir, create: false });
  try {
    const marks = deviceIds.map(() => '?').join(',');
    const row = db
      .prepare(`SELECT count(*) AS n FROM mailbox WHERE device_id IN (${marks})`)
      .get(...deviceIds) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

interface Listed {
  users: Array<{ name: string; admin: boolean; devices: number; createdAt: number }>;
}

async function listUsers(server: ServerProcess): Promise<Listed['users']> {
  const r = await foyer(['user', 'list', '--data', server.dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Listed).users;
}

/** Alice's group with every device of bob and carol; returns a sender of application messages. */
async function householdGroup(alice: ApiDevice, others: ApiDevice[]) {
  for (const d of others) assert.equal((await d.uploadKeyPackages(1)).status, 200);
  const groupId = randomBytes(16);
  const gid = toBase64Url(groupId);
  assert.equal((await alice.call('POST', '/api/v1/groups', { groupId: gid })).status, 200);
  const kps: Uint8Array[] = [];
  for (const name of new Set(others.map((d) => d.name))) {
    const c = await alice.call<ClaimedKeyPackages>('POST', `/api/v1/users/${name}/keypackages`);
    for (const k of c.body.keyPackages) kps.push(fromBase64Url(k.keyPackage)!);
  }
  assert.equal(kps.length, others.length);
  const added = await addMembers(
    await createGroup(groupId, alice.keys, { trust: alice.trust }),
    kps,
    {
      trust: alice.trust,
    },
  );
  const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
    id: toBase64Url(randomBytes(16)),
    message: toBase64Url(added.commit),
    welcome: toBase64Url(added.welcome),
    groupInfo: toBase64Url(added.groupInfo),
  });
  assert.deepEqual(r.body, { epoch: 1, duplicate: false });
  let group: Group = added.group;
  return async (text: string): Promise<string> => {
    const m = await encryptMessage(group, utf8(text), { trust: alice.trust });
    group = m.group;
    const id = toBase64Url(randomBytes(16));
    const sent = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
      id,
      message: toBase64Url(m.message),
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    return id;
  };
}

test('user remove while the server runs: sessions refused, sockets closed, nothing delivered, the name free again', async (t) => {
  const server = await startServerProcess();
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const alice = await ApiDevice.register(server.url, server.adminInvite, 'alice');
  const bob = await ApiDevice.register(server.url, createInvite(server.dataDir), 'bob');
  const bob2 = await addDevice(bob);
  const carol = await ApiDevice.register(server.url, createInvite(server.dataDir), 'carol');

  assert.deepEqual(
    (await listUsers(server)).map((u) => [u.name, u.admin, u.devices]),
    [
      ['alice', true, 1],
      ['bob', false, 2],
      ['carol', false, 1],
    ],
  );

  // Bob's devices are in a group, each with a Welcome and a message waiting; bob's first
  // device listens on a WebSocket and its session is cached by the server.
  const send = await householdGroup(alice, [bob, bob2, carol]);
  await send('before the removal');
  const socket = await bob.socket();
  await socket.untilItems(2);
  assert.equal((await bob2.call('GET', '/api/v1/devices')).status, 200);

  const refused = await foyer(['user', 'remove', 'bob', '--data', server.dataDir]);
  assert.equal(refused.code, 2, 'no --yes and no terminal: refused');
  assert.match(refused.stderr, /not removing "bob" without confirmation.*--yes/);
  assert.equal((await bob.call('GET', '/api/v1/devices')).status, 200, 'nothing was done');

  const removed = await foyer([
    'user',
    'remove',
    'bob',
    '--yes',
    '--json',
    '--data',
    server.dataDir,
  ]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(JSON.parse(removed.stdout), { name: 'bob', devices: 2, queuedMessages: 4 });

  // The server notices within a bounded time: both sessions refused, the socket closed.
  for (const d of [bob, bob2]) {
    await eventually('session refused', async () => {
      return (await d.call('GET', '/api/v1/devices')).status === 401;
    });
  }
  assert.equal(await socket.closed, 4003);
  const relogin = await bob.login().catch((e: Error) => e);
  assert.ok(relogin instanceof Error && /device_revoked/.test(relogin.message));

  // Nothing is queued for bob's devices any more, and nothing new reaches them: the hub
  // still has their leaves (no one committed their removal), but skips them.
  assert.equal(queuedFor(server, [bob.id, bob2.id]), 0);
  const after = await send('after the removal');
  assert.ok(
    (await carol.mailbox()).some((i) => i.id === after),
    'carol still gets messages',
  );
  assert.equal(queuedFor(server, [bob.id, bob2.id]), 0);
  assert.equal((await alice.call('GET', '/api/v1/users/bob')).status, 404);

  const status = await foyer(['status', '--data', server.dataDir, '--json']);
  const s = JSON.parse(status.stdout) as { users: { total: number; removed: number } };
  assert.deepEqual([s.users.total, s.users.removed], [2, 1]);

  // A new invite registers "bob" again, with a new identity key.
  const newBob = await ApiDevice.register(server.url, createInvite(server.dataDir), 'bob');
  const info = await alice.call<UserInfo>('GET', '/api/v1/users/bob');
  assert.equal(info.status, 200);
  const key = fromBase64Url(info.body.identityKey)!;
  assert.ok(equalBytes(key, newBob.identity.publicKey));
  assert.ok(!equalBytes(key, bob.identity.publicKey));
  assert.deepEqual(
    info.body.devices.map((d) => d.id),
    [newBob.id],
  );
  assert.deepEqual(
    (await listUsers(server)).map((u) => [u.name, u.devices]),
    [
      ['alice', 1],
      ['bob', 1],
      ['carol', 1],
    ],
  );
  assert.equal((await alice.call('GET', '/api/v1/devices')).status, 200, 'alice unaffected');
});

test('user commands: errors with stable codes, JSON errors, help', async (t) => {
  const server = await startServerProcess();
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const text = await foyer(['user', 'list', '--data', server.dataDir]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^No users yet/);
  await ApiDevice.register(server.url, server.adminInvite, 'alice');
  const table = await foyer(['user', 'list', '--data', server.dataDir]);
  assert.match(
    table.stdout,
    /^NAME {3}ADMIN {2}DEVICES {2}CREATED\nalice {2}yes {4}1 {8}\d{4}-\d\d-\d\d\n$/,
  );

  const unknown = await foyer([
    'user',
    'remove',
    'zoe',
    '--yes',
    '--json',
    '--data',
    server.dataDir,
  ]);
  assert.equal(unknown.code, 1);
  assert.deepEqual(JSON.parse(unknown.stdout), {
    error: { code: 'not_found', message: 'there is no user "zoe"' },
  });
  const invalid = await foyer(['user', 'remove', 'Zoe!', '--yes', '--data', server.dataDir]);
  assert.equal(invalid.code, 2, 'a malformed name is a command called wrongly');
  assert.match(invalid.stderr, /^foyer: not a user name: "Zoe!"/);
  const missing = await foyer(['user', 'remove', '--json', '--data', server.dataDir]);
  assert.equal(missing.code, 2);
  assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'usage');
  const noTty = await foyer(['user', 'remove', 'alice', '--json', '--data', server.dataDir]);
  assert.equal(noTty.code, 2);
  assert.match(
    (JSON.parse(noTty.stdout) as { error: { message: string } }).error.message,
    /standard input is not a terminal/,
  );
  const sub = await foyer(['user', 'rename', '--data', server.dataDir]);
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /unknown user command "rename"/);
  const help = await foyer(['help', 'user']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /foyer user remove NAME \[--yes\]/);
  assert.equal((await listUsers(server)).length, 1, 'alice is still there');
});
