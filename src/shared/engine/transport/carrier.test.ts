import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MailboxItem } from '../../protocol/api.ts';
import { toBase64Url } from '../../protocol/bytes.ts';
import {
  decodeSubmission,
  encodeItem,
  encodeReceipt,
  type Submission,
} from '../../protocol/envelope.ts';
import { EnvelopeMessaging, type Carrier } from './carrier.ts';
import { HttpTransport } from './httpTransport.ts';

const GROUP = toBase64Url(new Uint8Array(16).fill(7));
const ID = 'm'.repeat(22);
const MESSAGE = toBase64Url(Uint8Array.of(0, 1, 2, 3, 250));

/**
 * Another carrier, as a relay would be: it stores what it is handed and hands it back,
 * seeing only bytes. Its "server" turns each submission into a mailbox item.
 */
class RelayCarrier implements Carrier {
  readonly seen: Uint8Array[] = [];
  items: Uint8Array[] = [];
  acked = 0;
  async submit(envelope: Uint8Array): Promise<Uint8Array> {
    this.seen.push(envelope);
    const s: Submission = decodeSubmission(envelope); // the far end opens it
    const seq = this.items.length + 1;
    this.items.push(
      encodeItem({
        seq,
        kind: 'message',
        groupId: s.groupId,
        id: s.id,
        payload: s.message,
        receivedAt: 5,
      }),
    );
    return encodeReceipt({ epoch: 4, duplicate: false });
  }
  async fetch(after: number, limit: number) {
    const rest = this.items.slice(after);
    return { envelopes: rest.slice(0, limit), more: rest.length > limit };
  }
  async ack(upTo: number): Promise<void> {
    this.acked = upTo;
  }
}

test('the message calls travel as opaque envelopes over any carrier', async () => {
  const relay = new RelayCarrier();
  const messages = new EnvelopeMessaging(relay);
  assert.deepEqual(await messages.submit(GROUP, { id: ID, message: MESSAGE }), {
    epoch: 4,
    duplicate: false,
  });
  await messages.submit(GROUP, { id: 'n'.repeat(22), message: MESSAGE });
  assert.ok(relay.seen.every((e) => e instanceof Uint8Array));
  const first = await messages.mailbox(0, 1);
  assert.deepEqual(first, {
    items: [{ seq: 1, kind: 'message', groupId: GROUP, id: ID, payload: MESSAGE, receivedAt: 5 }],
    cursor: 1,
    more: true,
  });
  const second = await messages.mailbox(1, 10);
  assert.equal(second.cursor, 2);
  assert.equal(second.more, false);
  assert.equal((await messages.mailbox(2, 10)).cursor, 2, 'an empty batch keeps the cursor');
  await messages.ack(2);
  assert.equal(relay.acked, 2);
});

test('an envelope from the carrier that does not decode is the server at fault (bad_reply)', async () => {
  const relay = new RelayCarrier();
  relay.items = [Uint8Array.of(1, 3, 0)];
  await assert.rejects(new EnvelopeMessaging(relay).mailbox(0, 10), {
    code: 'bad_reply',
    message: /malformed envelope/,
  });
  relay.submit = async () => Uint8Array.of(9, 9);
  await assert.rejects(new EnvelopeMessaging(relay).submit(GROUP, { id: ID, message: MESSAGE }), {
    code: 'bad_reply',
  });
});

/** A server behind fetch that records each request (method, path, JSON body). */
function recordingServer(items: MailboxItem[]) {
  const requests: Array<{ method: string; path: string; body: unknown }> = [];
  const reply = (json: unknown) => new Response(JSON.stringify(json), { status: 200 });
  const fetchImpl = async (
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const path = url.pathname + url.search;
    requests.push({ method: init?.method ?? 'GET', path, body });
    if (path === '/api/v1/sessions/challenge')
      return reply({ challenge: toBase64Url(new Uint8Array(32)), expiresAt: 1 });
    if (path === '/api/v1/sessions') return reply({ token: 't', expiresAt: 0 });
    if (path.startsWith('/api/v1/groups/')) return reply({ epoch: 9, duplicate: true });
    if (path.startsWith('/api/v1/mailbox?'))
      return reply({ items, cursor: items.at(-1)?.seq ?? 0, more: false });
    if (path === '/api/v1/mailbox/ack') return reply({ deleted: 1 });
    return new Response('{}', { status: 404 });
  };
  const transport = new HttpTransport('http://127.0.0.1:9', { fetch: fetchImpl as typeof fetch });
  transport.setSigner({ deviceId: 'd'.repeat(22), sign: async () => new Uint8Array(64) });
  return { transport, requests };
}

test('over HTTP the envelope layer keeps the JSON API byte for byte', async () => {
  const item: MailboxItem = {
    seq: 3,
    kind: 'welcome',
    groupId: GROUP,
    id: ID,
    payload: MESSAGE,
    receivedAt: 77,
  };
  const { transport, requests } = recordingServer([item]);
  const welcome = toBase64Url(Uint8Array.of(9));
  const groupInfo = toBase64Url(Uint8Array.of(8));
  assert.deepEqual(
    await transport.submit(GROUP, { id: ID, message: MESSAGE, welcome, groupInfo }),
    {
      epoch: 9,
      duplicate: true,
    },
  );
  await transport.submit(GROUP, { id: ID, message: MESSAGE });
  assert.deepEqual(await transport.mailbox(2, 50), { items: [item], cursor: 3, more: false });
  await transport.ack(3);
  assert.deepEqual(
    requests.filter((r) => !r.path.startsWith('/api/v1/sessions')),
    [
      {
        method: 'POST',
        path: `/api/v1/groups/${GROUP}/messages`,
        body: { id: ID, message: MESSAGE, welcome, groupInfo },
      },
      {
        method: 'POST',
        path: `/api/v1/groups/${GROUP}/messages`,
        body: { id: ID, message: MESSAGE },
      },
      { method: 'GET', path: '/api/v1/mailbox?after=2&limit=50', body: undefined },
      { method: 'POST', path: '/api/v1/mailbox/ack', body: { upTo: 3 } },
    ],
  );
});

test('over HTTP a mailbox item with bytes that are not base64url is refused as bad_reply', async () => {
  const bad: MailboxItem = {
    seq: 1,
    kind: 'message',
    groupId: '***',
    id: ID,
    payload: MESSAGE,
    receivedAt: 0,
  };
  const { transport } = recordingServer([bad]);
  await assert.rejects(transport.mailbox(0, 10), { code: 'bad_reply' });
});
