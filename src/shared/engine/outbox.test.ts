import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from './clock.ts';
import { fakeServer, registerClient } from './testing/household.ts';

/** A clock the test moves by hand (sleep is not used by the outbox). */
function manualClock(): Clock & { advance(ms: number): void } {
  let t = 1_700_000_000_000;
  return {
    now: () => t,
    sleep: () => Promise.resolve(),
    advance(ms) {
      t += ms;
    },
  };
}

test('messages queued while offline go out in order, each once', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');
  const conv = await alice.engine.openDirect('bob');
  server.down = true;
  const ids: string[] = [];
  for (const text of ['one', 'two', 'three']) ids.push((await alice.engine.send(conv.id, text)).id);
  server.down = false;
  const r = await alice.engine.flush(true);
  assert.equal(r.sent, 3);
  assert.deepEqual(
    server.submissions.filter((s) => ids.includes(s.id)).map((s) => s.id),
    ids,
  );
  await bob.engine.sync();
  assert.deepEqual(
    (await bob.engine.messages(conv.id)).map((m) => m.text),
    ['one', 'two', 'three'],
  );
});

test('a retry resubmits the very same ciphertext under the same id', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  await registerClient(server, 'bob');
  const conv = await alice.engine.openDirect('bob');
  server.loseRepliesAfterAccept = 1;
  const m = await alice.engine.send(conv.id, 'hello');
  assert.equal(m.state, 'pending');
  await alice.engine.flush(true);
  const tries = server.attempts.filter((a) => a.id === m.id);
  assert.equal(tries.length, 2);
  assert.equal(tries[0]?.message, tries[1]?.message);
  assert.equal(server.submissions.filter((s) => s.id === m.id).length, 1);
  assert.equal((await alice.engine.message(conv.id, m.id)).state, 'sent');
});

test('retries back off, and a message fails with a reason after the last attempt', async () => {
  const clock = manualClock();
  const server = await fakeServer();
  const tuning = { maxSendAttempts: 3, retryBaseMs: 1000, retryMaxMs: 60_000 };
  const alice = await registerClient(server, 'alice', { clock, tuning });
  await registerClient(server, 'bob');
  const conv = await alice.engine.openDirect('bob');
  server.down = true;
  const m = await alice.engine.send(conv.id, 'doomed'); // attempt 1
  // Sending is a user action: it retries what waits at once (attempt 2), in order.
  const later = await alice.engine.send(conv.id, 'behind it');
  let outbox = await alice.engine.outbox();
  assert.deepEqual(
    outbox.map((e) => [e.id, e.attempts]),
    [
      [m.id, 2],
      [later.id, 0],
    ],
  );
  assert.match(outbox[0]?.lastError ?? '', /^network/);

  // Not due yet: nothing is tried.
  const r = await alice.engine.flush();
  assert.equal(r.waiting, 2);
  assert.ok(r.nextAttemptAt !== undefined && r.nextAttemptAt > clock.now());
  assert.equal((await alice.engine.outbox())[0]?.attempts, 2);

  clock.advance(60_000);
  await alice.engine.flush(); // attempt 3: gives up on the first, then tries the second
  const failed = await alice.engine.message(conv.id, m.id);
  assert.equal(failed.state, 'failed');
  assert.match(failed.reason ?? '', /gave up after 3 attempts: network/);
  assert.ok(
    alice.events.some(
      (e) => e.type === 'message_state' && e.messageId === m.id && e.state === 'failed',
    ),
  );
  outbox = await alice.engine.outbox();
  assert.deepEqual(
    outbox.map((e) => [e.id, e.attempts]),
    [[later.id, 1]],
  );

  server.down = false;
  clock.advance(60_000);
  await alice.engine.flush();
  assert.equal((await alice.engine.message(conv.id, later.id)).state, 'sent');
});

test('a permanent refusal fails the message at once', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');
  await registerClient(server, 'carol');
  const group = await alice.engine.createGroup('g', ['bob', 'carol']);
  await bob.engine.sync();
  await alice.engine.removeMembers(group.id, ['bob']);
  // Bob has not synced: he still thinks he is a member; the hub says otherwise.
  const m = await bob.engine.send(group.id, 'too late');
  assert.equal(m.state, 'failed');
  assert.match(m.reason ?? '', /^not_member/);
  assert.equal((await bob.engine.outbox()).length, 0);
  await bob.engine.sync();
  assert.equal((await bob.engine.conversation(group.id)).status, 'removed');
});
