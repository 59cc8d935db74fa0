/**
 * Nothing acknowledged is lost: a clean restart, and a `kill -9` in the middle of a burst of
 * submissions, followed by the client retrying everything with the same message ids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiDevice } from '../helpers/apiDevice.ts';
import { createInvite, removeDir, startServerProcess } from '../helpers/server.ts';
import { addMembers, createGroup, encryptMessage, type Group } from '../../src/shared/mls/group.ts';
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from '../../src/shared/protocol/bytes.ts';
import type { ClaimedKeyPackages } from '../../src/shared/protocol/api.ts';

/** Alice and Bob in one group on a fresh server; returns what the tests need. */
async function twoPersonGroup(url: string, dataDir: string, adminInvite: string) {
  const alice = await ApiDevice.register(url, adminInvite, 'alice');
  const bob = await ApiDevice.register(url, createInvite(dataDir), 'bob');
  await bob.uploadKeyPackages(1);
  const groupId = randomBytes(16);
  const gid = toBase64Url(groupId);
  assert.equal((await alice.call('POST', '/api/v1/groups', { groupId: gid })).status, 200);
  const g0 = await createGroup(groupId, alice.keys, { trust: alice.trust });
  const kp = await alice.call<ClaimedKeyPackages>('POST', '/api/v1/users/bob/keypackages');
  const add = await addMembers(g0, [fromBase64Url(kp.body.keyPackages[0]!.keyPackage)!], {
    trust: alice.trust,
  });
  const r = await alice.call('POST', `/api/v1/groups/${gid}/messages`, {
    id: toBase64Url(randomBytes(16)),
    message: toBase64Url(add.commit),
    welcome: toBase64Url(add.welcome),
  });
  assert.equal(r.status, 200);
  return { alice, bob, gid, group: add.group };
}

/** Encrypts `n` application messages in advance (the client's crypto is not under test). */
async function prepare(alice: ApiDevice, group: Group, n: number) {
  const out: Array<{ id: string; message: string }> = [];
  let g = group;
  for (let i = 0; i < n; i++) {
    const e = await encryptMessage(g, utf8(`message ${i}`), { trust: alice.trust });
    g = e.group;
    out.push({ id: toBase64Url(randomBytes(16)), message: toBase64Url(e.message) });
  }
  return out;
}

test('a restart loses nothing acknowledged, and sessions survive it', async (t) => {
  let server = await startServerProcess();
  t.after(async () => {
    await server.kill9();
    removeDir(server.dataDir);
  });
  const { alice, bob, gid, group } = await twoPersonGroup(
    server.url,
    server.dataDir,
    server.adminInvite,
  );
  const msgs = await prepare(alice, group, 5);
  for (const m of msgs) {
    assert.equal((await alice.call('POST', `/api/v1/groups/${gid}/messages`, m)).status, 200);
  }
  await server.stop();
  server = await startServerProcess({ dataDir: server.dataDir });
  alice.url = server.url;
  bob.url = server.url;
  const items = await bob.mailbox();
  assert.deepEqual(
    items.filter((i) => i.kind === 'message').map((i) => i.id),
    msgs.map((m) => m.id),
  );
  await server.stop();
});

test('kill -9 during a burst loses nothing acknowledged and duplicates nothing', async (t) => {
  let server = await startServerProcess();
  t.after(async () => {
    await server.kill9();
    removeDir(server.dataDir);
  });
  const { alice, bob, gid, group } = await twoPersonGroup(
    server.url,
    server.dataDir,
    server.adminInvite,
  );
  const msgs = await prepare(alice, group, 120);
  const acked = new Set<string>();
  let killing: Promise<void> | undefined;
  // Four concurrent senders; the server dies once 40 messages have been acknowledged, with
  // more in flight.
  const queue = [...msgs];
  const worker = async (): Promise<void> => {
    for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
      const r = await alice
        .call('POST', `/api/v1/groups/${gid}/messages`, m)
        .catch(() => undefined);
      if (r?.status === 200) acked.add(m.id);
      if (acked.size >= 40 && killing === undefined) killing = server.kill9();
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await killing;
  assert.ok(acked.size >= 40 && acked.size < msgs.length, `acknowledged ${acked.size}`);
  server = await startServerProcess({ dataDir: server.dataDir });
  alice.url = server.url;
  bob.url = server.url;
  // What was acknowledged is there.
  const stored = (await bob.mailbox()).filter((i) => i.kind === 'message').map((i) => i.id);
  for (const id of acked) assert.ok(stored.includes(id), 'an acknowledged message was lost');
  // The client retries everything with the same ids: nothing is delivered twice.
  for (const m of msgs) {
    const r = await alice.call<{ duplicate: boolean }>('POST', `/api/v1/groups/${gid}/messages`, m);
    assert.equal(r.status, 200);
    if (acked.has(m.id)) assert.equal(r.body.duplicate, true);
  }
  const all: string[] = [];
  let after = 0;
  for (;;) {
    const page = await bob.mailbox(after);
    if (page.length === 0) break;
    all.push(...page.filter((i) => i.kind === 'message').map((i) => i.id));
    after = page.at(-1)!.seq;
  }
  assert.equal(all.length, msgs.length);
  assert.equal(new Set(all).size, msgs.length, 'a message was delivered twice');
  await server.stop();
});
