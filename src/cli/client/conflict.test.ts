/**
 * The command-line client shows a conversation in conflict: `conversations` and `group
 * members` (text and --json) say so in a sentence, and `send` still sends but warns. The
 * conflict is made as in the engine tests (a hostile member's forbidden commit put straight
 * into the mailbox); the client store is then read by the CLI while the server is
 * unreachable (a closed loopback port), so the commands show what the store holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../shared/engine/index.ts';
import { FAST_KDF, fakeServer, registerClient } from '../../shared/engine/testing/household.ts';
import { injectCommit } from '../../shared/engine/testing/hostile.ts';
import { loadGroup } from '../../shared/engine/conversations/conversationStore.ts';
import { membersOf } from '../../shared/mls/group.ts';
import { removeProposals } from '../../shared/mls/testing.ts';
import { FileStorage } from './fileStore.ts';
import { clientMain } from './main.ts';
import type { ClientIo } from './io.ts';

/** A loopback URL nothing listens on: the CLI's fetches fail at once with `network`. */
async function closedLoopbackUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function run(dir: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ClientIo = {
    env: { FOYER_PASSPHRASE: 'pw' },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    interactive: false,
  };
  const code = await clientMain([...args, '--store', dir], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('conversations, group members and send show a conversation in conflict', async (t) => {
  const server = await fakeServer();
  const dir = mkdtempSync(join(tmpdir(), 'foyer-conflict-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => registerClient(server, n)));
  // Carol's store is on disk, as the CLI keeps it; her account names an unreachable server.
  const carol = await Engine.register(
    FileStorage.open(dir),
    'pw',
    { server: await closedLoopbackUrl(), invite: server.newInvite(), name: 'carol' },
    // The fake transport hands that URL to the account, so the CLI never looks up a name.
    { kdf: FAST_KDF, transport: (url) => server.transport(url) },
  );
  const group = await alice!.engine.createGroup('home', ['bob', 'carol']);
  await bob!.engine.sync();
  await carol.sync();
  await carol.close();

  const before = await run(dir, 'conversations');
  assert.equal(before.code, 0, before.err);
  assert.doesNotMatch(before.out, /conflict/i, 'no conflict before the forbidden commit');

  // Bob removes Carol, which only an admin may do, bypassing the hub.
  const carolLeaf = await bob!.engine.run(async (ctx) => {
    const g = await loadGroup(ctx, ctx.store, group.id);
    return membersOf(g).find((m) => m.credential.user === 'carol')!.leaf;
  });
  const carolAgain = await Engine.open(FileStorage.open(dir), 'pw', {
    transport: () => server.transport(),
  });
  await injectCommit(server, bob!.engine, group.id, removeProposals([carolLeaf]), [carolAgain]);
  await carolAgain.sync();
  await carolAgain.close();

  const list = await run(dir, 'conversations');
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /\(IN CONFLICT\)/);
  assert.match(list.out, /In conflict: this device refused a change to the group/);
  assert.match(list.out, /only an admin may remove another member, rule remove_forbidden/);
  const listJson = JSON.parse((await run(dir, 'conversations', '--json')).out) as {
    conversations: Array<{ id: string; conflict?: string; conflictRule?: string }>;
  };
  const view = listJson.conversations.find((c) => c.id === group.id)!;
  assert.equal(view.conflictRule, 'remove_forbidden');
  assert.match(view.conflict ?? '', /only an admin may remove another member/);

  const members = await run(dir, 'group', 'members', '--conversation', group.id);
  assert.equal(members.code, 0, members.err);
  assert.match(members.out, /^In conflict: .*rule remove_forbidden/);
  assert.match(members.out, /carol@maison\.example {2}member/, 'Carol is still listed');
  const membersJson = JSON.parse(
    (await run(dir, 'group', 'members', '--conversation', group.id, '--json')).out,
  ) as { conflict: { rule: string; reason: string; message: string } | null };
  assert.equal(membersJson.conflict?.rule, 'remove_forbidden');
  assert.match(membersJson.conflict?.message ?? '', /^In conflict: /);

  // Sending still works (the message waits for the server) and warns.
  const sent = await run(dir, 'send', '--conversation', group.id, '--text', 'hello');
  assert.equal(sent.code, 0, sent.err);
  assert.match(sent.out, / pending/);
  assert.match(sent.out, /ECONNREFUSED 127\.0\.0\.1/, 'only the loopback address was tried');
  assert.match(sent.err, /warning: In conflict: /);
  const sentJson = JSON.parse(
    (await run(dir, 'send', '--conversation', group.id, '--text', 'again', '--json')).out,
  ) as { message: { state: string }; warning?: string };
  assert.match(sentJson.warning ?? '', /^In conflict: /);
  await alice!.engine.close();
  await bob!.engine.close();
});
