/**
 * Message states across instances, with in-process engines on real file stores and three
 * real server processes on loopback: a group on maison.example (its hub) with members on
 * chez-bob.example and loin.example. A message moves sent → relayed (another instance's
 * server accepted it; the hub tells the sending device, through its own instance when it is
 * a follower's) → delivered → read. When loin.example is down longer than the hub's queue
 * age (3 s here), the sending device — on chez-bob.example — sees its message failed, with
 * the reason naming the instance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerEngine, marker, type EngineClient, tearDown } from '../helpers/scenario.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server.ts';
import { freePort } from '../helpers/federation.ts';
import type { EngineEvent } from '../../src/shared/engine/index.ts';

const H = 'maison.example';
const F = 'chez-bob.example';
const C = 'loin.example';

function waitFor(c: EngineClient, match: (e: EngineEvent) => boolean): Promise<EngineEvent> {
  const seen = c.events.find(match);
  if (seen !== undefined) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const off = c.engine.on((e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });
}

const stateOf =
  (id: string, state: string) =>
  (e: EngineEvent): boolean =>
    e.type === 'message_state' && e.messageId === id && e.state === state;

test(
  'message states cross instances, and a message the queue gives up fails at its sender',
  { timeout: 180_000 },
  async (t) => {
    const ports: Record<string, number> = {
      [H]: await freePort(),
      [F]: await freePort(),
      [C]: await freePort(),
    };
    const peers = (self: string): string =>
      Object.entries(ports)
        .filter(([d]) => d !== self)
        .map(([d, p]) => `${d}=http://127.0.0.1:${p}`)
        .join(',');
    const start = (domain: string, extra: string[] = []): Promise<ServerProcess> =>
      startServerProcess({
        args: [
          '--domain',
          domain,
          '--port',
          String(ports[domain]),
          '--federation-peers',
          peers(domain),
          ...extra,
        ],
      });
    const hub = await start(H, ['--federation-queue-seconds', '3']);
    const follower = await start(F);
    const far = await start(C);
    const clients: EngineClient[] = [];
    t.after(() => tearDown([hub, follower, far], clients));
    const alice = await registerEngine(hub, 'alice', hub.adminInvite);
    const bob = await registerEngine(follower, 'bob', follower.adminInvite);
    const carol = await registerEngine(far, 'carol', far.adminInvite);
    clients.push(alice, bob, carol);
    for (const c of clients) c.engine.start();

    const group = await alice.engine.createGroup('trois', [`bob@${F}`, `carol@${C}`]);
    await waitFor(bob, (e) => e.type === 'conversation_added' && e.conversation.id === group.id);
    await waitFor(carol, (e) => e.type === 'conversation_added' && e.conversation.id === group.id);

    // Alice (on the hub's instance): relayed once a peer's inbox has it, then delivered, read.
    const m1 = await alice.engine.send(group.id, marker('one'));
    // The status may already be in when send() returns (it comes by push).
    assert.ok(['sent', 'relayed'].includes(m1.state), m1.state);
    await waitFor(alice, stateOf(m1.id, 'relayed'));
    await waitFor(alice, stateOf(m1.id, 'delivered'));
    await waitFor(bob, (e) => e.type === 'message' && e.message.id === m1.id);
    await bob.engine.markRead(group.id);
    await waitFor(alice, stateOf(m1.id, 'read'));
    assert.equal((await alice.engine.message(group.id, m1.id)).state, 'read');

    // Bob (on a follower): the hub's status reaches him through his own instance.
    const m2 = await bob.engine.send(group.id, marker('two'));
    assert.ok(['sent', 'relayed'].includes(m2.state), m2.state);
    await waitFor(bob, stateOf(m2.id, 'relayed'));

    // loin.example goes down for longer than the hub's queue age: Bob's next message fails
    // at Bob's client, with the reason.
    await far.stop();
    const m3 = await bob.engine.send(group.id, marker('three'));
    assert.equal(m3.state, 'sent');
    const failed = await waitFor(bob, stateOf(m3.id, 'failed'));
    assert.match(failed.type === 'message_state' ? (failed.reason ?? '') : '', /loin\.example/);
    const stored = await bob.engine.message(group.id, m3.id);
    assert.equal(stored.state, 'failed');
    assert.match(stored.reason ?? '', /^not delivered to loin\.example: network/);
    // Alice, on the hub's own instance, got it all the same.
    await waitFor(alice, (e) => e.type === 'message' && e.message.id === m3.id);
  },
);
