import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { base64Url } from './base64.ts';
import { toBase64Url } from '../shared/protocol/bytes.ts';

test('the native encoder gives the same text as the shared one, views included', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (bytes, skip) => {
      const view = bytes.subarray(Math.min(skip, bytes.length));
      assert.equal(base64Url(view), toBase64Url(view));
    }),
  );
});
