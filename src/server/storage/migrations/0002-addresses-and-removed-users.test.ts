import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3-multiple-ciphers';
import { migrate, schemaVersion } from '../migrate.ts';
import { migrations } from './index.ts';

test('0002 gives tombstoned users their name back with removed_at, and frees the name', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.slice(0, 1));
  const user = db.prepare(
    'INSERT INTO users (id, name, identity_key, created_at) VALUES (?, ?, ?, ?)',
  );
  const device = db.prepare(
    'INSERT INTO devices (id, user_id, signature_key, credential, created_at, revoked_at) VALUES (?, ?, ?, ?, 0, ?)',
  );
  user.run(1, 'alice', Buffer.alloc(32), 10);
  user.run(2, 'removed:2:bob', Buffer.alloc(32), 20);
  user.run(3, 'removed:3:bob', Buffer.alloc(32), 30);
  device.run('dev-a', 1, Buffer.alloc(32), Buffer.alloc(8), null);
  device.run('dev-b1', 2, Buffer.alloc(32), Buffer.alloc(8), 500);
  device.run('dev-b2', 2, Buffer.alloc(32), Buffer.alloc(8), 700);

  assert.deepEqual(migrate(db, migrations.slice(0, 2)), [2]);
  assert.equal(schemaVersion(db), 2);
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are back on');
  assert.deepEqual(db.prepare('SELECT id, name, removed_at FROM users ORDER BY id').all(), [
    { id: 1, name: 'alice', removed_at: null },
    { id: 2, name: 'bob', removed_at: 700 },
    { id: 3, name: 'bob', removed_at: 30 },
  ]);
  // The devices still point at their users, and the name is free for a new bob.
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  user.run(4, 'bob', Buffer.alloc(32), 40);
  assert.throws(() => user.run(5, 'alice', Buffer.alloc(32), 50), /UNIQUE/);
  db.close();
});

test('0002 keeps hub members and refuses one device address twice in a group', () => {
  const db = new Database(':memory:');
  migrate(db, migrations.slice(0, 1));
  db.prepare(
    "INSERT INTO groups (id, epoch, created_by, created_at) VALUES (x'01', 0, 'd', 0)",
  ).run();
  const member = db.prepare(
    "INSERT INTO group_members (group_id, leaf, device_id, user_name, domain) VALUES (x'01', ?, ?, ?, ?)",
  );
  member.run(0, 'dev-a', 'alice', 'maison.example');
  migrate(db, migrations);
  // The same device id at another instance is another device.
  member.run(1, 'dev-a', 'alice', 'chez-bob.example');
  assert.throws(() => member.run(2, 'dev-a', 'alice', 'maison.example'), /UNIQUE/);
  db.close();
});
