import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../core/clock.ts';
import { fakeServer, registerClient, reopen } from '../testing/household.ts';

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

test('an outage never exhausts a message: retries follow the stored schedule', async () => {
  const clock = manualClock();
  const server = await fakeServer();
  const tuning = { retryBaseMs: 1000, retryMaxMs: 60_000, maxSendAgeMs: 24 * 3600_000 };
  const alice = await registerClient(server, 'alice', { clock, tuning });
  const bob = await registerClient(server, 'bob');
  const conv = await alice.engine.openDirect('bob');
  server.down = true;
  const m = await alice.engine.send(conv.id, 'first'); // attempt 1 fails
  // A new message does not retry what is backing off: it waits behind it, in order.
  const later = await alice.engine.send(conv.id, 'behind it');
  const outbox = await alice.engine.outbox();
  assert.deepEqual(
    outbox.map((e) => [e.id, e.attempts]),
    [
      [m.id, 1],
      [later.id, 0],
    ],
  );
  assert.match(outbox[0]?.lastError ?? '', /^network/);
  assert.ok((outbox[0]?.nextAttemptAt ?? 0) > clock.now());

  // Not due yet: nothing is tried, not even by a freshly opened engine (a new CLI run).
  const tried = server.submitCalls;
  const reopened = await reopen(server, alice, { clock, tuning });
  const r = await reopened.engine.flush();
  assert.equal(r.waiting, 2);
  assert.equal(server.submitCalls, tried);
  assert.equal((await reopened.engine.outbox())[0]?.attempts, 1);

  // Far more failed attempts than the old bound of 8, over hours: still pending.
  for (let i = 0; i < 20; i++) {
    clock.advance(60_000);
    await reopened.engine.flush();
  }
  assert.equal((await reopened.engine.message(conv.id, m.id)).state, 'pending');
  assert.equal((await reopened.engine.outbox())[0]?.attempts, 21);

  server.down = false;
  clock.advance(60_000);
  const done = await reopened.engine.flush();
  assert.equal(done.sent, 2);
  assert.equal((await reopened.engine.message(conv.id, m.id)).state, 'sent');
  await bob.engine.sync();
  assert.deepEqual(
    (await bob.engine.messages(conv.id)).map((x) => x.text),
    ['first', 'behind it'],
  );
});

test('a message that outlived the configured age fails with the reason, and can be resent', async () => {
  const clock = manualClock();
  const server = await fakeServer();
  const tuning = { retryBaseMs: 1000, retryMaxMs: 3600_000, maxSendAgeMs: 24 * 3600_000 };
  const alice = await registerClient(server, 'alice', { clock, tuning });
  const bob = await registerClient(server, 'bob');
  const conv = await alice.engine.openDirect('bob');
  server.down = true;
  const m = await alice.engine.send(conv.id, 'old news');
  clock.advance(23 * 3600_000);
  await alice.engine.flush();
  assert.equal((await alice.engine.message(conv.id, m.id)).state, 'pending');
  clock.advance(2 * 3600_000);
  await alice.engine.flush();
  const failed = await alice.engine.message(conv.id, m.id);
  assert.equal(failed.state, 'failed');
  assert.match(failed.reason ?? '', /^not sent after 25 h and 3 attempts: network/);
  assert.ok(
    alice.events.some(
      (e) => e.type === 'message_state' && e.messageId === m.id && e.state === 'failed',
    ),
  );
  assert.deepEqual(await alice.engine.outbox(), []);

  // Only a failed message of one's own can be resent.
  await assert.rejects(alice.engine.resend(conv.id, 'AAAAAAAAAAAAAAAAAAAAAA'), {
    code: 'not_found',
  });
  server.down = false;
  const [again] = await alice.engine.resend(conv.id, m.id);
  assert.equal(again?.state, 'sent');
  assert.equal(again?.id, m.id);
  assert.ok(
    alice.events.some(
      (e) => e.type === 'message_state' && e.messageId === m.id && e.state === 'pending',
    ),
  );
  await assert.rejects(alice.engine.resend(conv.id, m.id), { code: 'usage' });
  await bob.engine.sync();
  assert.deepEqual(
    (await bob.engine.messages(conv.id)).map((x) => [x.id, x.text]),
    [[m.id, 'old news']],
  );
});

test('resend without a message id sends every failed one of the conversation', async () => {
  const server = await fakeServer();
  const alice = await registerClient(server, 'alice');
  const bob = await registerClient(server, 'bob');
  await registerClient(server, 'carol');
  const group = await alice.engine.createGroup('g', ['bob', 'carol']);
  await bob.engine.sync();
  server.refuseNext = 'bad_request';
  const m = await bob.engine.send(group.id, 'refused once');
  assert.equal(m.state, 'failed');
  assert.match(m.reason ?? '', /^bad_request/);
  const resent = await bob.engine.resend(group.id);
  assert.deepEqual(
    resent.map((x) => [x.id, x.state]),
    [[m.id, 'sent']],
  );
  assert.deepEqual(await bob.engine.resend(group.id), []);
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
