/**
 * Properties of the content format (engine/conversations/content.ts), what every application message
 * carries: round trip, bounds, and a decoder that answers `undefined` — never throws — on
 * anything it does not know.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeContent,
  encodeContent,
  MAX_TEXT_CHARS,
  MAX_TITLE_CHARS,
  type Content,
} from '../../src/shared/engine/conversations/content.ts';
import { utf8 } from '../../src/shared/protocol/bytes.ts';
import { anyString, messageId, mutated, runs } from './support.ts';

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  anyString,
);

export const content: fc.Arbitrary<Content> = fc.oneof(
  fc.record({
    t: fc.constant('text' as const),
    id: messageId,
    ts: fc.maxSafeInteger(),
    text,
  }),
  fc.record({
    t: fc.constant('receipt' as const),
    kind: fc.constantFrom('delivered' as const, 'read' as const),
    ids: fc.array(messageId, { maxLength: 20 }),
  }),
  fc.record({ t: fc.constant('typing' as const) }),
  fc.record({
    t: fc.constant('meta' as const),
    kind: fc.constantFrom('direct' as const, 'group' as const),
    title: fc.option(fc.string({ unit: 'binary', maxLength: MAX_TITLE_CHARS }), { nil: null }),
  }),
  fc.record({ t: fc.constant('leave' as const) }),
);

/** fast-check builds records without a prototype; the decoder returns plain objects. */
const plain = (c: Content): Content => ({ ...c });

test('every content round-trips', () => {
  fc.assert(
    fc.property(content, (c) => {
      assert.deepEqual(decodeContent(encodeContent(c)), plain(c));
    }),
    runs(500),
  );
});

test('the largest contents still decode: the byte bound covers the worst JSON escaping', () => {
  const worst: Content[] = [
    {
      t: 'text',
      id: 'A'.repeat(64),
      ts: Number.MAX_SAFE_INTEGER,
      text: '\u0001'.repeat(MAX_TEXT_CHARS),
    },
    { t: 'text', id: 'A'.repeat(64), ts: 0, text: '\ud800'.repeat(MAX_TEXT_CHARS) },
    { t: 'text', id: 'A'.repeat(64), ts: 0, text: '€'.repeat(MAX_TEXT_CHARS) },
    { t: 'receipt', kind: 'read', ids: Array.from({ length: 1000 }, () => 'A'.repeat(64)) },
    { t: 'meta', kind: 'group', title: '\u0001'.repeat(MAX_TITLE_CHARS) },
  ];
  for (const c of worst) assert.deepEqual(decodeContent(encodeContent(c)), c);
});

test('contents past their bounds are refused', () => {
  const tooLong: Content = {
    t: 'text',
    id: 'A'.repeat(22),
    ts: 1,
    text: 'x'.repeat(MAX_TEXT_CHARS + 1),
  };
  assert.equal(decodeContent(encodeContent(tooLong)), undefined);
  const tooMany: Content = {
    t: 'receipt',
    kind: 'read',
    ids: Array.from({ length: 1001 }, () => 'A'.repeat(22)),
  };
  assert.equal(decodeContent(encodeContent(tooMany)), undefined);
  const longTitle: Content = { t: 'meta', kind: 'group', title: 'x'.repeat(MAX_TITLE_CHARS + 1) };
  assert.equal(decodeContent(encodeContent(longTitle)), undefined);
});

test('damaged, arbitrary or foreign bytes decode to undefined or to a content, never throw', () => {
  const check = (bytes: Uint8Array): void => {
    const c = decodeContent(bytes);
    // Whatever decodes is a content this version knows: it survives its own round trip.
    if (c !== undefined) assert.deepEqual(decodeContent(encodeContent(c)), c);
  };
  fc.assert(
    fc.property(
      content.chain((c) => mutated(encodeContent(c))),
      check,
    ),
    runs(1000),
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), runs(300));
  const foreign = fc.oneof(
    fc.jsonValue(),
    fc.dictionary(
      fc.constantFrom('v', 't', 'id', 'ts', 'text', 'kind', 'ids', 'title'),
      fc.jsonValue(),
    ),
    content.chain((c) =>
      fc
        .tuple(fc.constantFrom(...Object.keys(c), 'v'), fc.jsonValue())
        .map(([k, v]) => ({ v: 1, ...c, [k]: v })),
    ),
  );
  fc.assert(
    fc.property(foreign, (o) => check(utf8(JSON.stringify(o)))),
    runs(1000),
  );
});

test('deeply nested or oversized JSON is refused without throwing', () => {
  assert.equal(decodeContent(utf8('['.repeat(100_000) + ']'.repeat(100_000))), undefined);
  assert.equal(decodeContent(new Uint8Array(4 * MAX_TEXT_CHARS + 64 * 1024 + 1)), undefined);
});
