import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MailboxItem } from '../../protocol/api.ts';
import { systemClock } from '../core/clock.ts';
import { PushChannel, type SocketLike } from './push.ts';
import { fakeServer } from '../testing/household.ts';

/** A socket the test drives: it records what the client sends. */
class TestSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  readyState = 0;
  readonly sent: unknown[] = [];
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const item = (seq: number): MailboxItem => ({
  seq,
  kind: 'message',
  groupId: 'g'.repeat(22),
  payload: 'AAAA',
  id: 'i'.repeat(22),
  receivedAt: 0,
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

test('pushed items are handed over in order and acknowledged on the socket', async () => {
  const transport = (await fakeServer()).transport();
  const sockets: TestSocket[] = [];
  const got: number[] = [];
  const states: string[] = [];
  const channel = new PushChannel(
    transport,
    systemClock,
    {
      onItems: async (items) => {
        got.push(...items.map((i) => i.seq));
        return items.at(-1)!.seq;
      },
      onPoll: async () => undefined,
      cursor: async () => 7,
      onState: (s) => states.push(s),
      onError: (err) => assert.fail(String(err)),
    },
    {
      pollIntervalMs: 10,
      reconnectMaxMs: 20,
      socketFactory: () => {
        const s = new TestSocket();
        sockets.push(s);
        return s;
      },
    },
  );
  channel.start();
  await until(() => sockets.length === 1);
  const ws = sockets[0]!;
  ws.open();
  await until(() => ws.sent.length === 1);
  assert.deepEqual(ws.sent[0], { op: 'auth', token: 'token', after: 7 });
  ws.push({ op: 'ready', deviceId: 'd' });
  ws.push({ op: 'items', items: [item(8), item(9)] });
  ws.push({ op: 'items', items: [item(10)] });
  await until(() => ws.sent.length === 3);
  assert.deepEqual(got, [8, 9, 10]);
  assert.deepEqual(ws.sent.slice(1), [
    { op: 'ack', upTo: 9 },
    { op: 'ack', upTo: 10 },
  ]);
  assert.deepEqual(states, ['online']);
  await channel.stop();
  assert.deepEqual(states, ['online', 'offline']);
});

test('while the socket cannot connect, the mailbox is polled and the socket retried', async () => {
  const transport = (await fakeServer()).transport();
  // What the channel did, in order: 'socket' for each connection attempt, 'poll' for each poll.
  const events: string[] = [];
  const channel = new PushChannel(
    transport,
    systemClock,
    {
      onItems: async () => 0,
      onPoll: async () => {
        events.push('poll');
      },
      cursor: async () => 0,
      onState: () => undefined,
      onError: () => undefined,
    },
    {
      pollIntervalMs: 5,
      reconnectMaxMs: 20,
      socketFactory: () => {
        events.push('socket');
        const s = new TestSocket();
        // Refused at once, as when the server is down.
        queueMicrotask(() => s.close());
        return s;
      },
    },
  );
  channel.start();
  await until(() => events.filter((e) => e === 'socket').length >= 2);
  await channel.stop();
  // The socket is tried first; between the failed attempt and the retry the mailbox is polled.
  assert.equal(events[0], 'socket');
  const retry = events.indexOf('socket', 1);
  assert.ok(
    events.slice(1, retry).includes('poll'),
    `no poll before the retry: ${events.join(' ')}`,
  );
});

test('a low key package notice reaches its handler, in order with items; a malformed one is ignored', async () => {
  const transport = (await fakeServer()).transport();
  const sockets: TestSocket[] = [];
  const events: string[] = [];
  const channel = new PushChannel(
    transport,
    systemClock,
    {
      onItems: async (items) => {
        events.push(`items ${items.map((i) => i.seq).join(',')}`);
        return items.at(-1)!.seq;
      },
      onPoll: async () => undefined,
      cursor: async () => 0,
      onState: () => undefined,
      onError: (err) => assert.fail(String(err)),
      onKeyPackagesLow: async (available) => {
        events.push(`low ${available}`);
      },
    },
    {
      pollIntervalMs: 10,
      reconnectMaxMs: 20,
      socketFactory: () => {
        const s = new TestSocket();
        sockets.push(s);
        return s;
      },
    },
  );
  channel.start();
  await until(() => sockets.length === 1);
  const ws = sockets[0]!;
  ws.open();
  await until(() => ws.sent.length === 1);
  ws.push({ op: 'ready', deviceId: 'd' });
  ws.push({ op: 'items', items: [item(1)] });
  ws.push({ op: 'keypackages', available: -1 });
  ws.push({ op: 'keypackages', available: 'many' });
  ws.push({ op: 'keypackages', available: 9 });
  ws.push({ op: 'items', items: [item(2)] });
  await until(() => events.length === 3);
  assert.deepEqual(events, ['items 1', 'low 9', 'items 2']);
  await channel.stop();
});
