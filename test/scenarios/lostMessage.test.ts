/**
 * aServerKilledMidBurstLosesNoMessage: Alice sends numbered messages to a group with the
 * CLI, one process per message, while the server is killed with `kill -9` and restarted on
 * the same port. Every CLI run during the outage finds the server gone; a message must
 * nevertheless never be exhausted by the outage (the outbox retries on its stored schedule
 * until the configured age), and every message must reach the other members exactly once,
 * in order. Several trials in one run, on the same group.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess } from '../helpers/server.ts';
import {
  clientOk,
  marker,
  registerCli,
  registerEngine,
  removeDirs,
  scratchDir,
  startServer,
  type EngineClient,
  type ScenarioServer,
} from '../helpers/scenario.ts';

const TRIALS = 3;
const PER_TRIAL = 12;
/**
 * Killed during this message, restarted just before that one: 9 runs see no server, more than
 * the 8 attempts that once exhausted a message.
 */
const KILL_AT = 2;
const RESTART_AT = 11;
/**
 * About 40 CLI processes, and after each outage the wait the backoff imposes (about as long as
 * the outage): on a loaded 2-core machine that takes longer than the default timeout.
 */
const TIMEOUT_MS = 420_000;

test('aServerKilledMidBurstLosesNoMessage', { timeout: TIMEOUT_MS }, async (t) => {
  let server: ScenarioServer = await startServer();
  const aliceStore = scratchDir('client-alice');
  const receivers: EngineClient[] = [];
  t.after(async () => {
    for (const c of receivers) await c.engine.close();
    await server.kill9();
    removeDirs([server.dataDir, aliceStore, ...receivers.map((c) => c.dir)]);
  });
  const port = new URL(server.url).port;
  await registerCli(server, aliceStore, 'alice', server.adminInvite);
  receivers.push(await registerEngine(server, 'bob'), await registerEngine(server, 'carol'));
  const group = (
    await clientOk(aliceStore, 'group', 'create', '--title', 'numbers', '--members', 'bob,carol')
  ).conversation as { id: string };
  const tag = marker('n');
  const sent: string[] = [];

  for (let trial = 0; trial < TRIALS; trial++) {
    for (let i = 0; i < PER_TRIAL; i++) {
      const text = `${tag} ${trial}.${i}`;
      sent.push(text);
      if (i === KILL_AT) {
        // The kill lands while this send runs (before, during or after its submission).
        const sending = clientOk(aliceStore, 'send', '--conversation', group.id, '--text', text);
        await server.kill9();
        await sending;
        continue;
      }
      if (i === RESTART_AT) {
        server = await startServerProcess({ dataDir: server.dataDir, args: ['--port', port] });
        assert.equal(new URL(server.url).port, port);
      }
      const r = await clientOk(aliceStore, 'send', '--conversation', group.id, '--text', text);
      assert.notEqual(r.message.state, 'failed', `${text}: ${r.message.reason}`);
    }
    // What still waits leaves on the outbox's own schedule.
    const drained = await clientOk(aliceStore, 'sync', '--wait', '120');
    assert.equal(drained.failed, 0);
    assert.equal(drained.waiting, 0);
  }

  const mine = (await clientOk(aliceStore, 'messages', '--conversation', group.id))
    .messages as Array<{
    text: string;
    state: string;
  }>;
  assert.deepEqual(
    mine.filter((m) => m.state === 'failed' || m.state === 'pending').map((m) => m.text),
    [],
  );
  for (const c of receivers) {
    await c.engine.sync();
    const got = (await c.engine.messages(group.id)).map((m) => m.text);
    assert.deepEqual(got, sent, `${c.name} got every message exactly once, in order`);
  }
});
