import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryDb } from '../testing/memoryDb.ts';
import { Mailboxes } from '../mailbox/mailbox.ts';
import { utf8 } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Db } from '../storage/sqlite.ts';
import { findUser, listUsers, removeUser } from './userAdmin.ts';
import { autocommitTx } from '../testing/tx.ts';

const tx = autocommitTx();

const DAY = 24 * 3600 * 1000;

/** Users with their devices: `{ alice: ['a1'], bob: ['b1', 'b2'] }`; alice is admin. */
function household(db: Db, users: Record<string, string[]>): void {
  let id = 0;
  for (const [name, devices] of Object.entries(users)) {
    id++;
    db.prepare(
      'INSERT INTO users (id, name, identity_key, admin, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(id, name, new Uint8Array(32).fill(id), name === 'alice' ? 1 : 0, 1000 * id);
    for (const d of devices) {
      db.prepare(
        'INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES (?, ?, ?, ?, 0)',
      ).run(d, id, new Uint8Array(32), new Uint8Array(1));
      db.prepare(
        'INSERT INTO sessions (token_hash, device_id, created_at, expires_at) VALUES (?, ?, 0, ?)',
      ).run(utf8(`token-${d}`), d, Date.now() + DAY);
      db.prepare(
        'INSERT INTO key_packages (device_id, key_package, created_at) VALUES (?, ?, 0)',
      ).run(d, new Uint8Array(8));
    }
  }
}

function count(db: Db, sql: string, ...params: unknown[]): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${sql}`).get(...params) as { n: number }).n;
}

test('listUsers: name, admin, live devices and creation time, by name; no keys', () => {
  const db = memoryDb();
  household(db, { carol: ['c1'], alice: ['a1'], bob: ['b1', 'b2'] });
  db.prepare("UPDATE devices SET revoked_at = 5 WHERE id = 'b2'").run();
  assert.deepEqual(listUsers(db), [
    { name: 'alice', admin: true, devices: 1, createdAt: 2000 },
    { name: 'bob', admin: false, devices: 1, createdAt: 3000 },
    { name: 'carol', admin: false, devices: 1, createdAt: 1000 },
  ]);
  assert.deepEqual(findUser(db, 'bob'), listUsers(db)[1]);
});

test('removeUser revokes every device, deletes what revocation deletes, and frees the name', () => {
  const db = memoryDb();
  household(db, { alice: ['a1'], bob: ['b1', 'b2'] });
  const mb = new Mailboxes(db, { ttlMs: DAY, quota: 100 });
  const group = new Uint8Array(16);
  // One payload shared with alice's device, one for bob's devices only.
  mb.enqueue(tx, ['a1', 'b1', 'b2'], 'message', group, 'shared', utf8('x'), 1);
  mb.enqueue(tx, ['b1', 'b2'], 'welcome', group, 'bob-only', utf8('y'), 2);

  assert.deepEqual(removeUser(db, 'bob', 77), { name: 'bob', devices: 2, queuedMessages: 4 });

  assert.equal(count(db, 'devices WHERE user_id = 2 AND revoked_at = 77'), 2);
  for (const table of ['sessions', 'key_packages', 'mailbox']) {
    assert.equal(count(db, `${table} WHERE device_id IN ('b1', 'b2')`), 0, table);
    assert.equal(count(db, `${table} WHERE device_id = 'a1'`), 1, `alice's ${table} stay`);
  }
  // The shared payload lost bob's two references and stays for alice; the other is gone.
  assert.deepEqual(db.prepare('SELECT msg_id, refs FROM payloads').all(), [
    { msg_id: 'shared', refs: 1 },
  ]);
  assert.equal(mb.page('a1', 0, 10).items[0]?.id, 'shared');

  // The row stays, marked removed; counts leave it out.
  const row = db.prepare('SELECT name, removed_at FROM users WHERE id = 2').get();
  assert.deepEqual(row, { name: 'bob', removed_at: 77 });
  assert.deepEqual(
    listUsers(db).map((u) => u.name),
    ['alice'],
  );
  assert.equal(count(db, 'users WHERE removed_at IS NULL'), 1);
  assert.throws(() => findUser(db, 'bob'), { code: 'not_found' });
  assert.throws(() => removeUser(db, 'bob'), { code: 'not_found' });

  // The name is free: a new "bob" can be inserted, and removed again without a clash.
  db.prepare(
    "INSERT INTO users (id, name, identity_key, created_at) VALUES (3, 'bob', x'00', 0)",
  ).run();
  assert.deepEqual(removeUser(db, 'bob'), { name: 'bob', devices: 0, queuedMessages: 0 });
  assert.equal(count(db, "users WHERE name = 'bob' AND removed_at IS NOT NULL"), 2);
});

test('removeUser refuses names that are not user names, before touching anything', () => {
  const db = memoryDb();
  household(db, { alice: ['a1'] });
  for (const bad of ['', 'Alice', 'removed:1:alice', 'a'.repeat(33)]) {
    assert.throws(
      () => removeUser(db, bad),
      (err: unknown) => err instanceof FoyerError && err.code === 'invalid_name',
      bad,
    );
  }
  assert.equal(listUsers(db)[0]?.devices, 1);
});
