/**
 * The end-to-end half of scripts/check-arm64.sh. Starts the real server (`foyer start`) and
 * the admin CLI with the command given after `--` — qemu with the arm64 node — and talks to the
 * server from this host's own node over loopback: two users register, form an MLS group and
 * exchange messages (HTTP and WebSocket), the data folder stays unreadable, SIGTERM stops it.
 *
 *   node scripts/arm64-smoke.ts -- qemu-aarch64-static -L SYSROOT .tools/arm64/…/bin/node
 *
 * It cannot reuse test/helpers/server.ts: that spawns process.execPath, the host's node.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { SERVER_NODE_FLAGS } from '../src/cli/nodeFlags.ts';
import { once } from 'node:events';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ApiDevice, type SocketClient } from '../test/helpers/apiDevice.ts';
import { CLI, filesContaining, removeDir, tempDir } from '../test/helpers/server.ts';
import {
  addMembers,
  createGroup,
  encryptMessage,
  joinFromWelcome,
  processMessage,
  welcomeKeyPackageRefs,
  type Group,
} from '../src/shared/mls/group.ts';
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from '../src/shared/protocol/bytes.ts';
import type { ClaimedKeyPackages, WellKnown } from '../src/shared/protocol/api.ts';

const sep = process.argv.indexOf('--');
const runner = sep >= 0 ? process.argv.slice(sep + 1) : [];
const [runnerBin, ...runnerArgs] = runner;
if (runnerBin === undefined) {
  console.error('usage: node scripts/arm64-smoke.ts -- QEMU -L SYSROOT ARM64_NODE');
  process.exit(2);
}

/** Emulated code is 5–20 times slower than native: generous bounds, still bounds. */
const STEP_TIMEOUT = 180_000;
const MARKER = `arm64smoke${Date.now().toString(36)}`;
const msgId = (): string => toBase64Url(randomBytes(16));
const env = { ...process.env, FOYER_LOG_LEVEL: 'warn' };

/** Runs `foyer ARGS` with the emulated node and waits for it. */
function emulatedCli(args: string[]): string {
  const r = spawnSync(runnerBin!, [...runnerArgs, CLI, ...args], {
    encoding: 'utf8',
    env,
    timeout: STEP_TIMEOUT,
  });
  if (r.status !== 0) throw new Error(`foyer ${args[0]} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Resolves with the server's URL once it prints it; rejects if it exits first. */
function listeningUrl(proc: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(output());
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', check);
    proc.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before listening:\n${output()}`)),
    );
  });
}

describe('Foyer server on arm64 (qemu), driven from the host over loopback', () => {
  const dataDir = tempDir('foyer-arm64-');
  let proc: ChildProcess;
  let out = '';
  let url = '';
  let adminInvite = '';
  let alice: ApiDevice;
  let bob: ApiDevice;
  const groupId = randomBytes(16);
  const gid = toBase64Url(groupId);
  const groups = new Map<ApiDevice, Group>();

  before(async () => {
    proc = spawn(
      runnerBin,
      // The heap flags `foyer start` would apply by re-executing itself are given up front:
      // under qemu-user without binfmt_misc the kernel cannot execve an arm64 binary (ENOEXEC,
      // fatal in Node), and with them present `start` has nothing to re-execute for.
      [
        ...runnerArgs,
        ...SERVER_NODE_FLAGS,
        CLI,
        'start',
        '--data',
        dataDir,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    url = await listeningUrl(proc, () => out);
    console.log(`# emulated server listening after ${Date.now() - started} ms`);
    // Standard output is not a terminal: the first admin invite is in a file of the data folder.
    adminInvite =
      /#([A-Za-z0-9_-]{22})\b/.exec(readFileSync(join(dataDir, 'admin-invite.txt'), 'utf8'))?.[1] ??
      '';
    assert.notEqual(adminInvite, '', `no admin invite in the first start's output:\n${out}`);
  });

  after(async () => {
    if (proc !== undefined && proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, 'exit');
      proc.kill('SIGKILL');
      await exited;
    }
    removeDir(dataDir);
  });

  test('the server process is the emulator, running the arm64 node', () => {
    // The host kernel runs qemu; the Foyer code runs inside it as arm64 instructions.
    assert.equal(readlinkSync(`/proc/${proc.pid}/exe`), realpathSync(runnerBin));
  });

  test('GET /healthz and /.well-known/foyer answer', async () => {
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as { status: string; database: string };
    assert.equal(body.status, 'ok');
    assert.equal(body.database, 'ok');
    const wk = (await (await fetch(`${url}/.well-known/foyer`)).json()) as WellKnown;
    assert.equal(wk.domain, 'localhost');
    assert.equal(typeof wk.protocol, 'number');
    assert.match(wk.software, /^foyer\//);
    assert.equal(fromBase64Url(wk.instanceKey)?.length, 32, 'an Ed25519 instance key');
  });

  test(
    'two users register; the second invite comes from the emulated admin CLI',
    { timeout: STEP_TIMEOUT },
    async () => {
      alice = await ApiDevice.register(url, adminInvite, `alice-${MARKER}`);
      // The CLI opens the same encrypted database while the server holds it (WAL).
      const { code } = JSON.parse(
        emulatedCli(['invite', 'create', '--data', dataDir, '--json']),
      ) as {
        code: string;
      };
      bob = await ApiDevice.register(url, code, `bob-${MARKER}`);
      assert.notEqual(alice.token, '');
      assert.notEqual(bob.token, '');
    },
  );

  test(
    'alice creates an MLS group with bob; bob joins from the Welcome the hub delivers',
    { timeout: STEP_TIMEOUT },
    async () => {
      assert.equal((await bob.uploadKeyPackages(1)).status, 200);
      const created = await alice.call('POST', '/api/v1/groups', { groupId: gid });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const claimed = await alice.call<ClaimedKeyPackages>(
        'POST',
        `/api/v1/users/${bob.name}/keypackages`,
      );
      assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
      const g = await createGroup(groupId, alice.keys, { trust: alice.trust });
      const add = await addMembers(g, [fromBase64Url(claimed.body.keyPackages[0]!.keyPackage)!], {
        trust: alice.trust,
      });
      const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
        id: msgId(),
        message: toBase64Url(add.commit),
        welcome: toBase64Url(add.welcome),
        groupInfo: toBase64Url(add.groupInfo),
      });
      assert.deepEqual(r.body, { epoch: 1, duplicate: false });
      groups.set(alice, add.group);
      const items = await bob.mailbox();
      const welcome = items.find((i) => i.kind === 'welcome');
      assert.ok(welcome, 'the welcome reached bob');
      const w = fromBase64Url(welcome.payload)!;
      groups.set(
        bob,
        await joinFromWelcome(w, bob.keyPackageFor(welcomeKeyPackageRefs(w)), { trust: bob.trust }),
      );
      await bob.call('POST', '/api/v1/mailbox/ack', { upTo: items.at(-1)!.seq });
      const status = await bob.call<{ epoch: number; members: unknown[] }>(
        'GET',
        `/api/v1/groups/${gid}`,
      );
      assert.equal(status.body.epoch, 1);
      assert.equal(status.body.members.length, 2);
    },
  );

  test(
    'a message is pushed to bob over WebSocket; his reply waits in alice’s mailbox',
    { timeout: STEP_TIMEOUT },
    async () => {
      let socket: SocketClient | undefined;
      try {
        socket = await bob.socket();
        const sent = await encryptMessage(groups.get(alice)!, utf8(`hello ${MARKER}`), {
          trust: alice.trust,
        });
        groups.set(alice, sent.group);
        const id = msgId();
        const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
          id,
          message: toBase64Url(sent.message),
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const [pushed] = await socket.untilItems(1);
        assert.equal(pushed!.id, id);
        const got = await processMessage(groups.get(bob)!, fromBase64Url(pushed!.payload)!, {
          trust: bob.trust,
        });
        assert.equal(got.kind, 'application');
        if (got.kind === 'application') {
          assert.equal(new TextDecoder().decode(got.plaintext), `hello ${MARKER}`);
        }
        groups.set(bob, got.group);
        socket.send({ op: 'ack', upTo: pushed!.seq });
        socket.send({ op: 'ping' });
        await socket.next((f) => f.op === 'pong'); // frames are handled in order: the ack is done
        assert.deepEqual(await bob.mailbox(), []);
      } finally {
        socket?.close();
      }

      const reply = await encryptMessage(groups.get(bob)!, utf8(`reply ${MARKER}`), {
        trust: bob.trust,
      });
      const rid = msgId();
      const r = await bob.call('POST', `/api/v1/groups/${gid}/messages`, {
        id: rid,
        message: toBase64Url(reply.message),
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const items = await alice.mailbox();
      assert.deepEqual(
        items.map((i) => i.id),
        [rid],
      );
      const got = await processMessage(groups.get(alice)!, fromBase64Url(items[0]!.payload)!, {
        trust: alice.trust,
      });
      assert.equal(got.kind, 'application');
      if (got.kind === 'application') {
        assert.equal(new TextDecoder().decode(got.plaintext), `reply ${MARKER}`);
      }
    },
  );

  test(
    'a household burst: 200 messages to the group, fetched and acknowledged; memory sampled',
    { timeout: STEP_TIMEOUT * 2 },
    async () => {
      const status = (): { rss: number; peak: number } => {
        const text = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
        const kib = (key: string): number =>
          Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
        return { rss: kib('VmRSS'), peak: kib('VmHWM') };
      };
      const before = status();
      const total = 200;
      for (let i = 0; i < total; i++) {
        const sent = await encryptMessage(groups.get(alice)!, utf8(`burst ${i} ${MARKER}`), {
          trust: alice.trust,
        });
        groups.set(alice, sent.group);
        const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
          id: msgId(),
          message: toBase64Url(sent.message),
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      let received = 0;
      while (received < total) {
        const items = await bob.mailbox();
        assert.ok(items.length > 0, `bob got ${received} of ${total}`);
        received += items.length;
        await bob.call('POST', '/api/v1/mailbox/ack', { upTo: items.at(-1)!.seq });
      }
      const after = status();
      const mib = (k: number): string => (k / 1024).toFixed(0);
      console.log(
        `# emulated server memory (qemu process, includes the emulator): VmRSS ${mib(before.rss)} MiB before the burst, ` +
          `${mib(after.rss)} MiB after; peak (VmHWM) ${mib(after.peak)} MiB`,
      );
      assert.equal(received, total);
    },
  );

  test('no user name or message text is readable in the data folder', () => {
    assert.deepEqual(filesContaining(dataDir, [MARKER, 'alice-', 'SQLite format 3']), []);
  });

  test('SIGTERM stops the emulated server cleanly', { timeout: STEP_TIMEOUT }, async () => {
    const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    proc.kill('SIGTERM');
    const [code, signal] = await exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, out);
  });
});
