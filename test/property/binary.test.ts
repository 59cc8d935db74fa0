/**
 * Properties of the bounded binary codec (protocol/binary.ts) and of the byte helpers it and
 * every API body rely on (protocol/bytes.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reader, Writer } from '../../src/shared/protocol/binary.ts';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../src/shared/protocol/bytes.ts';
import { anyString, onlyFails, runs } from './support.ts';

type Field =
  | { k: 'u8'; v: number }
  | { k: 'u32'; v: number }
  | { k: 'u64'; v: number }
  | { k: 'bytes'; v: Uint8Array }
  | { k: 'string'; v: string };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((v) => ({ k: 'u8' as const, v })),
  fc.integer({ min: 0, max: 0xffffffff }).map((v) => ({ k: 'u32' as const, v })),
  fc.maxSafeNat().map((v) => ({ k: 'u64' as const, v })),
  fc.uint8Array({ maxLength: 64 }).map((v) => ({ k: 'bytes' as const, v })),
  fc.string({ unit: 'binary', maxLength: 32 }).map((v) => ({ k: 'string' as const, v })),
);

function write(fields: Field[]): Uint8Array {
  const w = new Writer();
  for (const f of fields) {
    if (f.k === 'u8') w.u8(f.v);
    else if (f.k === 'u32') w.u32(f.v);
    else if (f.k === 'u64') w.u64(f.v);
    else if (f.k === 'bytes') w.bytes(f.v);
    else w.string(f.v);
  }
  return w.finish();
}

function read(r: Reader, f: Field): unknown {
  if (f.k === 'u8') return r.u8();
  if (f.k === 'u32') return r.u32();
  if (f.k === 'u64') return r.u64();
  if (f.k === 'bytes') return r.bytes(64);
  return r.string(128);
}

test('what the writer writes, the reader reads back, field by field, to the last byte', () => {
  fc.assert(
    fc.property(fc.array(field, { maxLength: 12 }), (fields) => {
      const bytes = write(fields);
      // A view into a larger buffer must read the same as a fresh copy.
      const padded = new Uint8Array(bytes.length + 7);
      padded.set(bytes, 3);
      for (const data of [bytes, padded.subarray(3, 3 + bytes.length)]) {
        const r = new Reader(data, 'test');
        for (const f of fields) assert.deepEqual(read(r, f), f.v);
        r.end();
      }
    }),
    runs(300),
  );
});

test('the reader fails only with bad_request on any input, and never reads past a bound', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(fc.constantFrom('u8', 'u32', 'u64', 'bytes', 'exact', 'string'), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.integer({ min: 0, max: 40 }),
      (data, ops, max) => {
        const r = new Reader(data, 'test');
        onlyFails(() => {
          for (const op of ops) {
            if (op === 'bytes') assert.ok(r.bytes(max).length <= max);
            else if (op === 'exact') assert.equal(r.bytes(max, true).length, max);
            else if (op === 'string') assert.ok(utf8(r.string(max)).length <= max);
            else if (op === 'u64') assert.ok(Number.isSafeInteger(r.u64()));
            else r[op]();
          }
          r.end();
        }, ['bad_request']);
      },
    ),
    runs(500),
  );
});

test('a hostile length never makes the reader allocate it', () => {
  fc.assert(
    fc.property(fc.integer({ min: 65, max: 0xffffffff }), (len) => {
      const data = new Writer().u32(len).finish();
      assert.throws(() => new Reader(data, 'test').bytes(64), /out of bounds/);
      // Within the bound but past the end of the input: truncated, not a huge allocation.
      const under = new Writer().u32(Math.min(len, 64)).finish();
      assert.throws(() => new Reader(under, 'test').bytes(64), /truncated/);
    }),
    runs(200),
  );
});

test('base64url: round trip, and every accepted text is the canonical encoding of its bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      const text = toBase64Url(bytes);
      assert.match(text, /^[A-Za-z0-9_-]*$/);
      assert.deepEqual(fromBase64Url(text), bytes);
    }),
    runs(500),
  );
  const b64ish = fc.string({
    unit: fc.constantFrom(...'AQgw-_Zz09=+/ \n.é'),
    maxLength: 40,
  });
  fc.assert(
    fc.property(fc.oneof(b64ish, anyString), (text) => {
      const bytes = fromBase64Url(text);
      if (bytes !== undefined) assert.equal(toBase64Url(bytes), text);
    }),
    runs(1000),
  );
});

test('UTF-8: strings round-trip, malformed bytes are refused rather than replaced', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
      assert.equal(fromUtf8(utf8(s)), s);
    }),
    runs(300),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const s = fromUtf8(bytes);
      if (s !== undefined) assert.deepEqual(utf8(s), bytes);
    }),
    runs(500),
  );
});
