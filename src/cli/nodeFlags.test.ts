import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingFlags, SERVER_NODE_FLAGS } from './nodeFlags.ts';

test('every server flag is added to a plain start', () => {
  assert.deepEqual(missingFlags(SERVER_NODE_FLAGS, [], undefined), [...SERVER_NODE_FLAGS]);
  assert.deepEqual(missingFlags(SERVER_NODE_FLAGS, ['--enable-source-maps'], ''), [
    ...SERVER_NODE_FLAGS,
  ]);
});

test('a flag the operator gave, in the arguments or NODE_OPTIONS, is not added again', () => {
  assert.deepEqual(
    missingFlags(
      ['--max-semi-space-size=1', '--max-old-space-size=256'],
      ['--max-semi-space-size=8'],
      undefined,
    ),
    ['--max-old-space-size=256'],
  );
  assert.deepEqual(
    missingFlags(
      ['--max-semi-space-size=1', '--max-old-space-size=256'],
      [],
      '--require x.js  --max_old_space_size=900',
    ),
    ['--max-semi-space-size=1'],
    'V8 takes underscores for dashes',
  );
});

test('once applied, the flags are all present: the re-execution does not loop', () => {
  assert.deepEqual(missingFlags(SERVER_NODE_FLAGS, [...SERVER_NODE_FLAGS], undefined), []);
});
