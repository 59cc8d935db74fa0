/**
 * Every stable error code the app can show has its own words in French and English: the
 * engine and server codes come from the protocol's one list, so a code added there without a
 * translation fails here (and in the type check of the key table).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes } from '../../src/shared/protocol/errors.ts';
import { ERROR_KEYS } from '../../src/web/i18n/errorKeys.ts';
import { en } from '../../src/web/i18n/en.ts';
import { fr } from '../../src/web/i18n/fr.ts';

const codes = Object.keys(errorCodes) as Array<keyof typeof errorCodes>;

test('every error code has a message key of its own', () => {
  assert.deepEqual(Object.keys(ERROR_KEYS).sort(), [...codes].sort());
  for (const code of codes) assert.equal(ERROR_KEYS[code], `error.${code}`, code);
});

test('every error code has non-empty words in both languages, and they differ', () => {
  for (const code of codes) {
    const key = ERROR_KEYS[code];
    const english = en[key];
    const french = fr[key];
    assert.ok(english.trim().length > 0, `${code}: English text missing`);
    assert.ok(french.trim().length > 0, `${code}: French text missing`);
    assert.notEqual(french, english, `${code}: the French text is the English one`);
  }
});

test('the codes the browser meets most have specific words, not the generic fallback', () => {
  for (const code of ['bad_reply', 'corrupt_store', 'network', 'locked'] as const) {
    assert.doesNotMatch(en[ERROR_KEYS[code]], /\{detail\}/, code);
    assert.doesNotMatch(fr[ERROR_KEYS[code]], /\{detail\}/, code);
  }
});
