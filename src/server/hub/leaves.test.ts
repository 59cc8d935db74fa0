import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCommit, leafOf, type Member } from './leaves.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';

const m = (d: string, domain = 'maison.example'): Member => ({ deviceId: d, user: d, domain });

test('adds fill the leftmost blank leaves, after removes are applied', () => {
  const start = new Map([
    [0, m('a')],
    [1, m('b')],
    [2, m('c')],
  ]);
  const change = applyCommit(start, [1], [m('d'), m('e')]);
  assert.deepEqual(
    change.added.map((a) => [a.leaf, a.member.deviceId]),
    [
      [1, 'd'],
      [3, 'e'],
    ],
  );
  assert.deepEqual(
    change.removed.map((r) => r.member.deviceId),
    ['b'],
  );
  assert.equal(leafOf(change.leaves, m('e')), 3);
  assert.equal(leafOf(change.leaves, m('b')), undefined);
  // The input is untouched: a refused commit must leave the hub as it was.
  assert.equal(start.get(1)?.deviceId, 'b');
});

test('removing a blank leaf or adding a member twice is refused', () => {
  const start = new Map([[0, m('a')]]);
  assert.throws(
    () => applyCommit(start, [5], []),
    (e: unknown) => e instanceof FoyerError && e.code === 'bad_request',
  );
  assert.throws(
    () => applyCommit(start, [], [m('a')]),
    (e: unknown) => e instanceof FoyerError && e.code === 'bad_request',
  );
});

test('a device is known by its address: the same id on another instance is another device', () => {
  const start = new Map([[0, m('a')]]);
  const change = applyCommit(start, [], [m('a', 'chez-bob.example')]);
  assert.deepEqual(
    change.added.map((a) => [a.leaf, a.member.domain]),
    [[1, 'chez-bob.example']],
  );
  assert.equal(leafOf(change.leaves, m('a', 'chez-bob.example')), 1);
  assert.equal(leafOf(change.leaves, m('a')), 0);
  assert.equal(leafOf(change.leaves, m('a', 'ailleurs.example')), undefined);
});
