/**
 * Properties of the server's boundary parsers (src/server/http/parse.ts, the submission and
 * group id parsers of the group routes, and WebSocket frame parsing): on any JSON a client
 * can send they return a value within their bounds or throw a FoyerError with a 4xx code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  array,
  boolean,
  bytes,
  integer,
  object,
  optionalString,
  queryInteger,
  string,
} from '../../src/server/http/parse.ts';
import {
  groupIdParam,
  MAX_MLS_MESSAGE,
  parseSubmission,
} from '../../src/server/http/routes/groups.ts';
import { parseClientFrame } from '../../src/server/ws/frames.ts';
import { toBase64Url, utf8 } from '../../src/shared/protocol/bytes.ts';
import { anyString, messageId, onlyFails, runs } from './support.ts';

const json = fc.oneof(fc.jsonValue(), fc.anything(), anyString);
const FIELD = 'f';
const body = json.map((v) => ({ [FIELD]: v }));

test('field parsers return values within their bounds or fail with bad_request', () => {
  fc.assert(
    fc.property(body, fc.nat({ max: 100 }), fc.integer(), fc.integer(), (o, max, lo, hi) => {
      const s = onlyFails(() => string(o, FIELD, { max, re: /^[a-z]*$/ }), ['bad_request']);
      if (s !== undefined) assert.ok(s.length <= max && /^[a-z]*$/.test(s));
      onlyFails(() => optionalString(o, FIELD, { max }), ['bad_request']);
      const [min, top] = lo <= hi ? [lo, hi] : [hi, lo];
      const n = onlyFails(() => integer(o, FIELD, { min, max: top }), ['bad_request']);
      if (n !== undefined) assert.ok(Number.isSafeInteger(n) && n >= min && n <= top);
      const b = onlyFails(() => boolean(o, FIELD, false), ['bad_request']);
      if (b !== undefined) assert.equal(typeof b, 'boolean');
      const a = onlyFails(() => array(o, FIELD, { max }), ['bad_request']);
      if (a !== undefined) assert.ok(a.length <= max);
      onlyFails(() => object(o[FIELD]), ['bad_request']);
    }),
    runs(1000),
  );
});

test('byte fields round-trip up to their bound and are refused past it', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 80 }), (b, max) => {
      const o = { [FIELD]: toBase64Url(b) };
      if (b.length <= max) assert.deepEqual(bytes(o, FIELD, { max }), b);
      else assert.throws(() => bytes(o, FIELD, { max }), { code: 'payload_too_large' });
      if (b.length <= max && b.length !== 32) {
        assert.throws(() => bytes(o, FIELD, { max, length: 32 }), { code: 'bad_request' });
      }
    }),
    runs(500),
  );
  fc.assert(
    fc.property(body, fc.nat({ max: 80 }), (o, max) => {
      const b = onlyFails(() => bytes(o, FIELD, { max }), ['bad_request', 'payload_too_large']);
      if (b !== undefined) assert.ok(b.length <= max);
    }),
    runs(500),
  );
});

test('query integers accept decimal digits within bounds only', () => {
  fc.assert(
    fc.property(
      fc.oneof(json, fc.nat().map(String), fc.maxSafeNat().map(String), fc.constant(undefined)),
      (v) => {
        const n = onlyFails(
          () => queryInteger(v, 'after', { min: 1, max: 1000, fallback: 7 }),
          ['bad_request'],
        );
        if (n !== undefined) assert.ok(v === undefined ? n === 7 : n >= 1 && n <= 1000);
      },
    ),
    runs(500),
  );
});

test('submissions and group ids: valid ones parse, anything else fails with a 4xx code', () => {
  const valid = fc.record({
    id: messageId,
    message: fc.uint8Array({ minLength: 1, maxLength: 100 }).map(toBase64Url),
    welcome: fc.option(fc.uint8Array({ maxLength: 50 }).map(toBase64Url), { nil: undefined }),
  });
  fc.assert(
    fc.property(valid, (o) => {
      const s = parseSubmission({ ...o });
      assert.equal(s.id, o.id);
      assert.equal(toBase64Url(s.message), o.message);
    }),
    runs(300),
  );
  const field = fc.constantFrom('id', 'message', 'welcome', 'groupInfo');
  fc.assert(
    fc.property(valid, field, json, (o, k, v) => {
      const s = onlyFails(
        () => parseSubmission({ ...o, [k]: v }),
        ['bad_request', 'payload_too_large'],
      );
      if (s !== undefined) assert.ok(s.message.length <= MAX_MLS_MESSAGE);
      const id = onlyFails(() => groupIdParam({ groupId: v }), ['bad_request']);
      if (id !== undefined) assert.ok(id.length >= 16 && id.length <= 64);
    }),
    runs(1000),
  );
});

test('WebSocket frames: JSON objects in text frames parse, anything else fails with bad_request', () => {
  fc.assert(
    fc.property(fc.dictionary(anyString, fc.jsonValue(), { maxKeys: 5 }), (o) => {
      assert.deepEqual(
        parseClientFrame(utf8(JSON.stringify(o)), false),
        JSON.parse(JSON.stringify(o)),
      );
      assert.throws(() => parseClientFrame(utf8(JSON.stringify(o)), true), { code: 'bad_request' });
    }),
    runs(300),
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        json.map((v) => utf8(JSON.stringify(v) ?? 'undefined')),
        anyString.map(utf8),
      ),
      fc.boolean(),
      (data, isBinary) => {
        const f = onlyFails(() => parseClientFrame(data, isBinary), ['bad_request']);
        if (f !== undefined) assert.ok(typeof f === 'object' && f !== null && !Array.isArray(f));
      },
    ),
    runs(1000),
  );
});
