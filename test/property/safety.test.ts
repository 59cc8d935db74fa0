/**
 * Properties of safety numbers (engine/identity/safety.ts): both sides agree, any other key or
 * address changes them, and a scanned QR payload matches only the exact pair of keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compareSafetyQr,
  fingerprint,
  safetyNumber,
  type Party,
} from '../../src/shared/engine/identity/safety.ts';
import { anyString, bytesOf, domain, runs, userName } from './support.ts';

const party: fc.Arbitrary<Party> = fc
  .record({ user: userName, domain, identityKey: bytesOf(32) })
  .map(({ user, domain: d, identityKey }) => ({ address: `${user}@${d}`, identityKey }));

test('both sides compute the same 60 digits, and each side accepts the QR the other shows', async () => {
  await fc.assert(
    fc.asyncProperty(party, party, async (a, b) => {
      const ab = await safetyNumber(a, b);
      const ba = await safetyNumber(b, a);
      assert.equal(ab.digits, ba.digits);
      assert.match(ab.digits, /^(\d{5} ){11}\d{5}$/);
      assert.equal(await compareSafetyQr(b, a, ab.qr), true);
      assert.equal(await compareSafetyQr(a, b, ba.qr), true);
    }),
    runs(6),
  );
});

test('another identity key or another address gives another number and fails the QR check', async () => {
  await fc.assert(
    fc.asyncProperty(party, party, bytesOf(32), async (a, b, key) => {
      fc.pre(!key.every((x, i) => x === b.identityKey[i]));
      const real = await safetyNumber(a, b);
      const forged = { ...b, identityKey: key };
      assert.notEqual((await safetyNumber(a, forged)).digits, real.digits);
      assert.equal(await compareSafetyQr(a, forged, (await safetyNumber(b, a)).qr), false);
      const renamed = { ...b, address: b.address + 'x' };
      assert.notDeepEqual(await fingerprint(renamed), await fingerprint(b));
    }),
    runs(5),
  );
});

test('checking any scanned text answers true or false, never throws', async () => {
  const a = { address: 'alice@maison.example', identityKey: new Uint8Array(32).fill(1) };
  const b = { address: 'bob@maison.example', identityKey: new Uint8Array(32).fill(2) };
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        anyString,
        anyString.map((t) => 'foyer-safety:1:' + t),
      ),
      async (text) => {
        assert.equal(await compareSafetyQr(a, b, text), false);
      },
    ),
    runs(100),
  );
});
