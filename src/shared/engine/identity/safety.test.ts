import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSafetyQr, safetyNumber } from './safety.ts';
import { randomBytes } from '../../protocol/bytes.ts';

const alice = { address: 'alice@maison.example', identityKey: randomBytes(32) };
const bob = { address: 'bob@maison.example', identityKey: randomBytes(32) };

test('both sides compute the same 60-digit safety number', async () => {
  const a = await safetyNumber(alice, bob);
  const b = await safetyNumber(bob, alice);
  assert.equal(a.digits, b.digits);
  assert.match(a.digits, /^(\d{5} ){11}\d{5}$/);
});

test('a different identity key gives a different safety number', async () => {
  const a = await safetyNumber(alice, bob);
  const forged = await safetyNumber(alice, { ...bob, identityKey: randomBytes(32) });
  assert.notEqual(a.digits, forged.digits);
});

test('the same key under another address gives a different number', async () => {
  const a = await safetyNumber(alice, bob);
  const other = await safetyNumber(alice, { ...bob, address: 'mallory@maison.example' });
  assert.notEqual(a.digits, other.digits);
});

test('a scanned QR payload matches only when both keys are the expected ones', async () => {
  const shownByBob = (await safetyNumber(bob, alice)).qr;
  assert.equal(await compareSafetyQr(alice, bob, shownByBob), true);
  // Alice's own code scanned back (a mirror) must not pass.
  assert.equal(await compareSafetyQr(alice, bob, (await safetyNumber(alice, bob)).qr), false);
  const mitm = (await safetyNumber({ ...bob, identityKey: randomBytes(32) }, alice)).qr;
  assert.equal(await compareSafetyQr(alice, bob, mitm), false);
  assert.equal(await compareSafetyQr(alice, bob, 'garbage'), false);
});
