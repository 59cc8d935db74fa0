/**
 * Replays the committed known-answer vectors (test/vectors/*.json) in Node: the same inputs
 * must give the same bytes, and the committed bytes must read back to the committed values.
 * A failure here means a wire or storage format changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replay } from './formats.ts';
import { loadVectors } from './load.ts';

for (const file of loadVectors()) {
  test(`${file.format} vectors replay in Node`, async () => {
    assert.ok(file.vectors.length >= 2, 'a vector file holds vectors');
    const result = await replay(file);
    assert.deepEqual(result.failures, []);
    assert.equal(result.checked, file.vectors.length);
  });
}
