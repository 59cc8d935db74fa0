/**
 * Hub members are device addresses (user@domain + device id), found by address rather than
 * by a local device id; removed users keep their name and get `removed_at` instead of being
 * renamed to `removed:ID:NAME`. A name is unique among the users not removed.
 *
 * `users` is rebuilt (SQLite cannot drop a UNIQUE constraint in place), so this migration
 * runs with foreign keys off and checks them before it commits (`rebuildsTables`).
 */
export const migration = {
  version: 2,
  name: 'addresses-and-removed-users',
  rebuildsTables: true,
  sql: `
CREATE TABLE users_new (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  identity_key BLOB NOT NULL,
  admin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  removed_at INTEGER
) STRICT;
-- A tombstone 'removed:ID:NAME' gets its name back, and the time its last device was
-- revoked (the removal revoked them all) as removed_at.
INSERT INTO users_new (id, name, identity_key, admin, created_at, removed_at)
SELECT id,
       CASE WHEN name LIKE 'removed:%'
            THEN substr(name, 9 + instr(substr(name, 9), ':'))
            ELSE name END,
       identity_key, admin, created_at,
       CASE WHEN name LIKE 'removed:%'
            THEN coalesce((SELECT max(revoked_at) FROM devices d WHERE d.user_id = users.id),
                          created_at)
            END
  FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE UNIQUE INDEX users_live_name ON users(name) WHERE removed_at IS NULL;

-- A device id is unique within its instance only: members are found by (domain, device id).
DROP INDEX group_members_by_device;
CREATE UNIQUE INDEX group_members_by_address ON group_members(group_id, domain, device_id);
CREATE INDEX group_members_by_device ON group_members(domain, device_id);
`,
} as const;
