/**
 * Memory exhaustion by a member (issue 8, finding 1), on a real server with its default
 * limits: one user fills a group of its own two devices with the largest messages the hub
 * takes, then reads that mailbox six times at once over HTTP while two WebSockets of the
 * same device take their backlog without reading it. The server must stay under 300 MiB
 * resident at its peak (a Raspberry Pi with 1 GB runs other things too), `/healthz` must
 * answer within a second throughout, the full mailbox must refuse more with `mailbox_full`,
 * and nothing accepted may be lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { ApiDevice, trustInstance } from '../helpers/apiDevice.ts';
import { removeDir, startServerProcess, type ServerProcess } from '../helpers/server.ts';
import { generateSignatureKeyPair, signDeviceBinding } from '../../src/shared/mls/keys.ts';
import { addMembers, createGroup, encryptMessage } from '../../src/shared/mls/group.ts';
import { decodeMls, encodeMls } from '../../src/shared/mls/codec.ts';
import { fromBase64Url, randomBytes, toBase64Url } from '../../src/shared/protocol/bytes.ts';
import {
  MAX_APPLICATION_MESSAGE,
  type ClaimedKeyPackages,
  type MailboxPage,
} from '../../src/shared/protocol/api.ts';

const MIB = 1024 * 1024;
/** The bound this test holds the server to (docs/security.md). */
const MEMORY_BOUND_MIB = 300;
// One second, as the hardening issue asks: 139 ms was measured in CI beside another suite,
// 1.17 s only at a load average near 25. Without the page and backlog bounds the same attack
// stalls /healthz for about 9 s.
const HEALTH_WITHIN_MS = 1000;

type ErrorReply = { error: { code: string } };

/** Adds a second device to `first`'s account, as device linking ends up doing. */
async function secondDevice(first: ApiDevice): Promise<ApiDevice> {
  const d = new ApiDevice(first.url);
  d.identity = first.identity;
  d.signature = await generateSignatureKeyPair();
  d.name = first.name;
  const identitySignature = await signDeviceBinding(d.identity, {
    user: first.name,
    domain: 'localhost',
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

/**
 * An application message of `size` bytes for the group: a real PrivateMessage with its
 * ciphertext replaced. The hub cannot read ciphertext, so to it this is any member's message.
 */
function applicationMessageOfSize(real: Uint8Array, size: number): Uint8Array {
  const msg = decodeMls(real, 'message', 'bad_request');
  if (msg.wireformat !== 'mls_private_message') throw new Error('not a PrivateMessage');
  const overhead = real.length - msg.privateMessage.ciphertext.length;
  return encodeMls({
    ...msg,
    privateMessage: {
      ...msg.privateMessage,
      ciphertext: new Uint8Array(nodeRandomBytes(size - overhead - 4)),
    },
  });
}

/** Peak resident memory of a process so far (VmHWM), in MiB. */
function peakRssMib(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

/**
 * Polls /healthz every 100 ms from a separate process (so that this busy test process does
 * not delay the measurement) until stopped; returns the slowest answer in ms.
 */
function watchHealth(url: string): { stop: () => Promise<{ slowest: number; slowestAt: number }> } {
  const script = `
    let slowest = 0, slowestAt = 0, running = true;
    process.stdin.on('data', () => { running = false; });
    (async () => {
      while (running) {
        const t0 = performance.now();
        const r = await fetch(process.argv[1] + '/healthz', { signal: AbortSignal.timeout(10000) });
        if (r.status !== 200) throw new Error('healthz answered ' + r.status);
        await r.arrayBuffer();
        if (performance.now() - t0 > slowest) { slowest = performance.now() - t0; slowestAt = Date.now(); }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      process.stdout.write(JSON.stringify({ slowest, slowestAt }));
      process.exit(0);
    })().catch((err) => { process.stderr.write(String(err)); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script, url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  return {
    stop: async () => {
      child.stdin.write('stop\n');
      const [code] = await exited;
      assert.equal(code, 0, `the health watcher failed: ${err}`);
      return JSON.parse(out) as { slowest: number; slowestAt: number };
    },
  };
}

/** Submits messages with `parallel` requests in flight until one is refused; returns how many were accepted and the refusal. */
async function fillUntilRefused(
  d: ApiDevice,
  gid: string,
  message: string,
  parallel: number,
  max: number,
): Promise<{ accepted: string[]; refusal: { status: number; code: string } }> {
  const accepted: string[] = [];
  let refusal: { status: number; code: string } | undefined;
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (refusal === undefined && sent < max) {
      sent++;
      const id = toBase64Url(randomBytes(16));
      const r = await d.call<ErrorReply>('POST', `/api/v1/groups/${gid}/messages`, {
        id,
        message,
      });
      if (r.status === 200) accepted.push(id);
      else refusal ??= { status: r.status, code: r.body.error.code };
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  assert.ok(refusal, `${max} messages were all accepted`);
  return { accepted, refusal };
}

/** A member's group of its own two devices, at epoch 1. */
async function ownGroup(server: ServerProcess) {
  const a1 = await ApiDevice.register(server.url, server.adminInvite, 'mallory');
  const a2 = await secondDevice(a1);
  assert.equal((await a2.uploadKeyPackages(1)).status, 200);
  const groupId = randomBytes(16);
  const gid = toBase64Url(groupId);
  assert.equal((await a1.call('POST', '/api/v1/groups', { groupId: gid })).status, 200);
  const g0 = await createGroup(groupId, a1.keys, { trust: a1.trust });
  const claimed = await a1.call<ClaimedKeyPackages>('POST', `/api/v1/users/mallory/keypackages`);
  const kps = claimed.body.keyPackages
    .filter((k) => k.deviceId === a2.id)
    .map((k) => fromBase64Url(k.keyPackage)!);
  const add = await addMembers(g0, kps, { trust: a1.trust });
  const r = await a1.call('POST', `/api/v1/groups/${gid}/messages`, {
    id: toBase64Url(randomBytes(16)),
    message: toBase64Url(add.commit),
    welcome: toBase64Url(add.welcome),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const real = (await encryptMessage(add.group, randomBytes(100), { trust: a1.trust })).message;
  return { a1, a2, gid, real };
}

test('a member filling its own devices and reading them back at once cannot exhaust the server', async (t) => {
  const server = await startServerProcess();
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const pid = server.proc.pid!;
  const health = watchHealth(server.url);
  const { a1, a2, gid, real } = await ownGroup(server);

  // The 512 KB messages of the review are refused: files travel as attachments, not here.
  const big = await a1.call<ErrorReply>('POST', `/api/v1/groups/${gid}/messages`, {
    id: toBase64Url(randomBytes(16)),
    message: toBase64Url(applicationMessageOfSize(real, 512 * 1024)),
  });
  assert.equal(big.status, 413);
  assert.equal(big.body.error.code, 'payload_too_large');

  // The largest message allowed, until a2's mailbox (64 MiB by default) is full.
  const largest = toBase64Url(applicationMessageOfSize(real, MAX_APPLICATION_MESSAGE));
  const { accepted, refusal } = await fillUntilRefused(a1, gid, largest, 6, 2000);
  assert.deepEqual(refusal, { status: 507, code: 'mailbox_full' });
  assert.ok(
    accepted.length * MAX_APPLICATION_MESSAGE > 48 * MIB,
    `only ${accepted.length} accepted`,
  );
  const afterFill = peakRssMib(pid);
  const filledAt = Date.now();

  // Two sockets of the full device that never read what they are sent.
  const stalled: WebSocket[] = [];
  for (let i = 0; i < 2; i++) {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ op: 'auth', token: a2.token }));
    await new Promise((resolve) => ws.once('message', resolve));
    ws.pause();
    stalled.push(ws);
  }
  // Six full-size page requests at once, twice.
  for (let round = 0; round < 2; round++) {
    const pages = await Promise.all(
      Array.from({ length: 6 }, () =>
        a2.call<MailboxPage>('GET', '/api/v1/mailbox?after=0&limit=500'),
      ),
    );
    for (const p of pages) {
      assert.equal(p.status, 200);
      assert.ok(p.body.more, 'a page is bounded in bytes, not only in items');
      assert.ok(p.body.items.length >= 1);
    }
  }
  const { slowest, slowestAt } = await health.stop();
  const peak = peakRssMib(pid);
  t.diagnostic(
    `accepted ${accepted.length} messages; peak RSS ${afterFill.toFixed(0)} MiB after filling, ${peak.toFixed(0)} MiB after the reads; slowest /healthz ${slowest.toFixed(0)} ms, ${slowestAt < filledAt ? 'while filling' : 'while reading'}`,
  );
  assert.ok(peak < MEMORY_BOUND_MIB, `peak resident memory ${peak.toFixed(0)} MiB`);
  assert.ok(slowest < HEALTH_WITHIN_MS, `/healthz took ${slowest.toFixed(0)} ms`);
  for (const ws of stalled) ws.terminate();

  // Nothing accepted was lost: the device reads every message, page by page, and acks.
  const seen = new Set<string>();
  for (let after = 0, more = true; more;) {
    const p = await a2.call<MailboxPage>('GET', `/api/v1/mailbox?after=${after}&limit=500`);
    for (const i of p.body.items) if (i.kind === 'message') seen.add(i.id);
    after = p.body.cursor;
    more = p.body.more;
  }
  for (const id of accepted) assert.ok(seen.has(id), 'an accepted message is missing');
  await a2.call('POST', '/api/v1/mailbox/ack', { upTo: Number.MAX_SAFE_INTEGER });
  const again = await a1.call('POST', `/api/v1/groups/${gid}/messages`, {
    id: toBase64Url(randomBytes(16)),
    message: largest,
  });
  assert.equal(again.status, 200, 'the read mailbox has room again');
});

test('an instance at its storage budget refuses new messages with storage_full', async (t) => {
  const server = await startServerProcess({
    args: ['--storage-budget-mib', '16', '--mailbox-quota-mib', '1000', '--user-quota-mib', '1000'],
  });
  t.after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  const { a1, gid, real } = await ownGroup(server);
  const largest = toBase64Url(applicationMessageOfSize(real, MAX_APPLICATION_MESSAGE));
  const { accepted, refusal } = await fillUntilRefused(a1, gid, largest, 4, 400);
  assert.deepEqual(refusal, { status: 507, code: 'storage_full' });
  assert.ok(accepted.length * MAX_APPLICATION_MESSAGE <= 16 * MIB);
  assert.equal((await a1.call('GET', '/healthz')).status, 200, 'the server still serves');
});
