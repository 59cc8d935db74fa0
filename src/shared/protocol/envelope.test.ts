import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MailboxItem } from './api.ts';
import { toBase64Url } from './bytes.ts';
import {
  decodeItem,
  decodeReceipt,
  decodeSubmission,
  encodeItem,
  encodeReceipt,
  encodeSubmission,
  MAX_ENVELOPE,
  type Submission,
} from './envelope.ts';

const b64 = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map(toBase64Url);
const messageId = fc.stringMatching(/^[A-Za-z0-9_-]{22}$/);

const submission: fc.Arbitrary<Submission> = fc.record(
  {
    groupId: b64(16, 32),
    id: messageId,
    message: b64(1, 2000),
    welcome: b64(1, 500),
    groupInfo: b64(1, 500),
  },
  { requiredKeys: ['groupId', 'id', 'message'] },
);

const item: fc.Arbitrary<MailboxItem> = fc.record({
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  kind: fc.constantFrom('message', 'welcome', 'link'),
  groupId: b64(16, 32),
  id: messageId,
  payload: b64(1, 2000),
  receivedAt: fc.integer({ min: 0, max: 2 ** 45 }),
});

test('envelopes round-trip: submissions, receipts, mailbox items', () => {
  fc.assert(
    fc.property(submission, (s) =>
      assert.deepEqual(decodeSubmission(encodeSubmission(s)), { ...s }),
    ),
  );
  fc.assert(fc.property(item, (i) => assert.deepEqual(decodeItem(encodeItem(i)), { ...i })));
  fc.assert(
    fc.property(fc.nat(), fc.boolean(), (epoch, duplicate) =>
      assert.deepEqual(decodeReceipt(encodeReceipt({ epoch, duplicate })), { epoch, duplicate }),
    ),
  );
});

test('an envelope carries the MLS bytes raw: smaller than the JSON it replaces', () => {
  const s = {
    groupId: toBase64Url(new Uint8Array(16)),
    id: 'A'.repeat(22),
    message: toBase64Url(new Uint8Array(300)),
  };
  assert.ok(encodeSubmission(s).length < JSON.stringify(s).length * 0.8);
});

test('every truncation, extension or type confusion is refused with bad_request', () => {
  fc.assert(
    fc.property(submission, fc.nat(), (s, cut) => {
      const bytes = encodeSubmission(s);
      const short = bytes.slice(0, cut % bytes.length);
      assert.throws(() => decodeSubmission(short), { code: 'bad_request' });
      const long = new Uint8Array([...bytes, 0]);
      assert.throws(() => decodeSubmission(long), { code: 'bad_request' });
    }),
  );
  const receipt = encodeReceipt({ epoch: 3, duplicate: false });
  assert.throws(() => decodeSubmission(receipt), { code: 'bad_request' });
  assert.throws(() => decodeItem(receipt), { code: 'bad_request' });
  const future = receipt.slice();
  future[0] = 2;
  assert.throws(() => decodeReceipt(future), /unknown version 2/);
  const badFlag = receipt.slice();
  badFlag[badFlag.length - 1] = 7;
  assert.throws(() => decodeReceipt(badFlag), { code: 'bad_request' });
});

test('bounds: an oversized envelope or field is refused before anything is allocated', () => {
  assert.throws(() => decodeSubmission(new Uint8Array(MAX_ENVELOPE + 1)), {
    code: 'payload_too_large',
  });
  // A length prefix claiming 4 GiB for the group id.
  const forged = Uint8Array.of(1, 1, 0xff, 0xff, 0xff, 0xff);
  assert.throws(() => decodeSubmission(forged), /out of bounds/);
  assert.throws(() => encodeSubmission({ groupId: 'not base64!', id: 'x', message: 'AAAA' }), {
    code: 'bad_request',
  });
});
