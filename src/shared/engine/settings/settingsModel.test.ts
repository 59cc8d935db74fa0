import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blockedAddresses,
  emptySettings,
  MAX_REMOVED,
  mergeSettings,
  parseSettings,
  sameSettings,
  withBlock,
  withRemoved,
  type AccountSettings,
} from './settingsModel.ts';

const A = 'aaaaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbbbb';
/** Device ids as the server makes them (22 base64url characters). */
const dev = (n: number): string => `device${n}`.padEnd(22, '0');

test('removals are a union; the later block decision wins, ties by device', () => {
  const start = withBlock(emptySettings(), 'x@h.example', true, dev(1));
  // Two devices change things from the same state, without seeing each other.
  const one = withRemoved(withBlock(start, 'x@h.example', false, dev(1)), [A]);
  const two = withRemoved(withBlock(start, 'y@h.example', true, dev(2)), [B]);
  const merged = mergeSettings(one, two);
  assert.deepEqual(merged.removed, [A, B]);
  assert.deepEqual(blockedAddresses(merged), ['y@h.example']);
  // Same clock on both: the larger device id wins, everywhere.
  const p = withBlock(start, 'x@h.example', false, dev(1));
  const q = withBlock(start, 'x@h.example', true, dev(2));
  assert.equal(p.blocks['x@h.example']!.clock, q.blocks['x@h.example']!.clock);
  assert.deepEqual(blockedAddresses(mergeSettings(p, q)), ['x@h.example']);
  assert.deepEqual(blockedAddresses(mergeSettings(q, p)), ['x@h.example']);
});

test('merging is commutative, associative and idempotent', () => {
  const states: AccountSettings[] = [
    withRemoved(emptySettings(), [A]),
    withBlock(withRemoved(emptySettings(), [B]), 'x@h.example', true, dev(1)),
    withBlock(
      withBlock(emptySettings(), 'x@h.example', true, dev(2)),
      'x@h.example',
      false,
      dev(2),
    ),
    withBlock(emptySettings(), 'y@h.example', true, dev(3)),
  ];
  for (const a of states) {
    assert.ok(sameSettings(mergeSettings(a, a), a));
    for (const b of states) {
      assert.ok(sameSettings(mergeSettings(a, b), mergeSettings(b, a)));
      for (const c of states) {
        assert.ok(
          sameSettings(
            mergeSettings(mergeSettings(a, b), c),
            mergeSettings(a, mergeSettings(b, c)),
          ),
        );
      }
    }
  }
});

test('parsing refuses malformed and oversized snapshots', () => {
  const good = withBlock(withRemoved(emptySettings(), [A]), 'x@h.example', true, dev(1));
  assert.deepEqual(parseSettings(JSON.parse(JSON.stringify(good))), good);
  assert.equal(parseSettings(null), undefined);
  assert.equal(parseSettings({ removed: ['not an id!'], blocks: {} }), undefined);
  assert.equal(
    parseSettings({ removed: [], blocks: { 'no-at': good.blocks['x@h.example'] } }),
    undefined,
  );
  assert.equal(
    parseSettings({
      removed: [],
      blocks: { 'x@h.example': { blocked: 'yes', clock: 1, device: dev(9) } },
    }),
    undefined,
  );
  assert.equal(
    parseSettings({
      removed: [],
      blocks: { 'x@h.example': { blocked: true, clock: -1, device: dev(9) } },
    }),
    undefined,
  );
  const many = Array.from({ length: MAX_REMOVED + 1 }, (_, i) => `id${i}`);
  assert.equal(parseSettings({ removed: many, blocks: {} }), undefined);
});
