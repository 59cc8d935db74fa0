/** The first schema: accounts, devices, sessions, key packages, mailboxes, hubs, links. */
export const migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE instance (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  signing_key_pkcs8 BLOB NOT NULL,
  signing_key_public BLOB NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE invites (
  code_hash BLOB PRIMARY KEY,
  admin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) STRICT;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  identity_key BLOB NOT NULL,
  admin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  signature_key BLOB NOT NULL,
  credential BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER,
  revoked_at INTEGER
) STRICT;
CREATE INDEX devices_by_user ON devices(user_id);

CREATE TABLE challenges (
  challenge BLOB PRIMARY KEY,
  device_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_device ON sessions(device_id);

CREATE TABLE key_packages (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  key_package BLOB NOT NULL,
  last_resort INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX key_packages_by_device ON key_packages(device_id, last_resort);

-- One row per message: its body and everything its recipients share. mailbox rows point at
-- it; refs counts the mailbox rows left. (A household message reaches up to 49 devices: the
-- per-recipient row is kept as small as possible.)
CREATE TABLE payloads (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  group_id BLOB NOT NULL,
  msg_id TEXT NOT NULL,
  body BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  refs INTEGER NOT NULL
) STRICT;
-- Keeps 'DELETE FROM payloads WHERE refs <= 0' from scanning the table.
CREATE INDEX payloads_unreferenced ON payloads(id) WHERE refs <= 0;
CREATE INDEX payloads_by_expiry ON payloads(expires_at);

-- No foreign key to payloads: the reference count keeps them consistent, and a foreign-key
-- check per recipient row would cost a lookup on the hottest insert.
CREATE TABLE mailbox (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  payload_id INTEGER NOT NULL,
  PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;

-- Monotonic counters that must survive even when every row they numbered is gone
-- (mailbox sequence numbers: a client's cursor must never see a number twice).
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('mailbox_seq', 0);

CREATE TABLE groups (
  id BLOB PRIMARY KEY,
  epoch INTEGER NOT NULL,
  group_info BLOB,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE group_members (
  group_id BLOB NOT NULL REFERENCES groups(id),
  leaf INTEGER NOT NULL,
  device_id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  domain TEXT NOT NULL,
  PRIMARY KEY (group_id, leaf)
) STRICT, WITHOUT ROWID;
CREATE INDEX group_members_by_device ON group_members(device_id);

-- Accepted client message ids, for idempotent submission.
CREATE TABLE submissions (
  group_id BLOB NOT NULL,
  msg_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  accepted_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, msg_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX submissions_by_time ON submissions(accepted_at);

CREATE TABLE links (
  rid BLOB PRIMARY KEY,
  request BLOB NOT NULL,
  reply BLOB,
  expires_at INTEGER NOT NULL
) STRICT;
`,
} as const;
