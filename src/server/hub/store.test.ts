import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GROUP_CACHE_MAX, HubStore } from './store.ts';
import { memoryDb } from '../testing/memoryDb.ts';
import { autocommitTx } from '../testing/tx.ts';

test('the group cache keeps at most GROUP_CACHE_MAX groups, the most recently used', () => {
  const db = memoryDb();
  db.exec(`INSERT INTO users (id, name, identity_key, created_at) VALUES (1, 'u', x'00', 0);
    INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES ('d1', 1, x'00', x'00', 0)`);
  const store = new HubStore(db);
  const member = { deviceId: 'd1', user: 'u', domain: 'localhost' };
  const ids: Uint8Array[] = [];
  for (let i = 0; i < GROUP_CACHE_MAX + 50; i++) {
    const id = new Uint8Array(16);
    new DataView(id.buffer).setUint32(0, i);
    ids.push(id);
    store.create(autocommitTx(), id, member, undefined, undefined, 0);
    if (i % 10 === 0) store.get(ids[0]!); // keep the first one in use
  }
  assert.equal(store.cached(), GROUP_CACHE_MAX);
  assert.equal(store.countForUser(1, 'localhost'), GROUP_CACHE_MAX + 50);
  assert.equal(store.countForUser(1, 'ailleurs.example'), 0, 'a device id of another instance');
  // Dropped from memory, still on disk.
  assert.equal(store.get(ids[1]!)?.epoch, 0);
  assert.equal(store.cached(), GROUP_CACHE_MAX);
});
