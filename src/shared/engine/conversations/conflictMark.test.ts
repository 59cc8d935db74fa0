/** The conflict mark itself (conflict.ts): a later refusal replaces the whole mark. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FoyerError } from '../../protocol/errors.ts';
import type { ConversationRecord } from '../store/model.ts';
import { clearConflict, markConflict } from './conflict.ts';

test('a refusal without a rule does not keep the rule of an earlier one; clearing removes both', () => {
  const conv = {} as ConversationRecord;
  markConflict(conv, new FoyerError('forbidden_by_policy', 'first', { rule: 'admin_only' }));
  assert.equal(conv.conflictRule, 'admin_only');
  markConflict(conv, new FoyerError('forbidden_by_policy', 'second'));
  assert.equal(conv.conflict, 'second');
  assert.equal(conv.conflictRule, undefined);
  assert.equal(clearConflict(conv), true);
  assert.equal(conv.conflict, undefined);
  assert.equal(clearConflict(conv), false);
});
