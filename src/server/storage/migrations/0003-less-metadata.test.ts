import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3-multiple-ciphers';
import { migrate } from '../migrate.ts';
import { migrations } from './index.ts';
import { seenDigest } from '../../hub/seen.ts';

const DAY = 24 * 3600 * 1000;

test('0003 keeps message-id digests without senders, drops used invites, creators and exact times', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.slice(0, 2));
  const t = 20 * DAY + 12_345_678;
  db.exec(`
    INSERT INTO users (id, name, identity_key, created_at) VALUES (1, 'alice', x'00', ${t});
    INSERT INTO devices (id, user_id, signature_key, credential, created_at, last_seen_at)
      VALUES ('dev-a', 1, x'00', x'00', ${t}, ${t + 5000});
    INSERT INTO groups (id, epoch, created_by, created_at) VALUES (x'01', 0, 'dev-a', ${t});
    INSERT INTO invites (code_hash, created_at, expires_at, used_at) VALUES (x'aa', 0, ${t}, ${t});
    INSERT INTO invites (code_hash, created_at, expires_at) VALUES (x'bb', 0, ${t});
    INSERT INTO challenges (challenge, device_id, expires_at) VALUES (x'cc', 'dev-a', ${t});
    INSERT INTO submissions (group_id, msg_id, device_id, epoch, accepted_at)
      VALUES (x'01', 'message-one', 'dev-a', 0, ${t});`);
  assert.deepEqual(migrate(db, migrations.slice(0, 3)), [3]);

  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
      name: string;
    }>
  ).map((r) => r.name);
  assert.ok(!tables.includes('submissions') && !tables.includes('challenges'));
  assert.deepEqual(db.prepare('SELECT digest, forget_day FROM seen_messages').all(), [
    { digest: seenDigest(new Uint8Array([1]), 'message-one'), forget_day: 20 + 8 },
  ]);
  const groupColumns = (db.pragma('table_info(groups)') as Array<{ name: string }>).map(
    (c) => c.name,
  );
  assert.ok(!groupColumns.includes('created_by'));
  assert.deepEqual(db.prepare('SELECT code_hash FROM invites').all(), [
    { code_hash: Buffer.from([0xbb]) },
  ]);
  const day = 20 * DAY;
  assert.deepEqual(db.prepare('SELECT created_at FROM users').get(), { created_at: day });
  assert.deepEqual(db.prepare('SELECT created_at, last_seen_at FROM devices').get(), {
    created_at: day,
    last_seen_at: day,
  });
  assert.deepEqual(db.prepare('SELECT created_at FROM groups').get(), { created_at: day });
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  db.close();
});
