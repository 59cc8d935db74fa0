/**
 * Federation (issue 10): pinned peer keys and administrator decisions, the persistent
 * per-peer outbound queue (written in the router's transaction), each peer's retry state,
 * and digests of the items received from peers (receivers deduplicate by message id).
 */
export const migration = {
  version: 6,
  name: 'federation',
  sql: `
CREATE TABLE federation_peers (
  domain TEXT PRIMARY KEY,
  public_key BLOB,
  pinned_at INTEGER,
  denied INTEGER NOT NULL DEFAULT 0 CHECK (denied IN (0, 1))
) STRICT, WITHOUT ROWID;

CREATE TABLE federation_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  domain TEXT NOT NULL,
  kind TEXT NOT NULL,
  group_id BLOB NOT NULL,
  msg_id TEXT NOT NULL,
  body BLOB NOT NULL,
  devices TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX federation_outbox_by_peer ON federation_outbox(domain, seq);

CREATE TABLE federation_retry (
  domain TEXT PRIMARY KEY,
  attempts INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  last_error TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE federation_failed (
  msg_id TEXT NOT NULL,
  domain TEXT NOT NULL,
  reason TEXT NOT NULL,
  failed_at INTEGER NOT NULL,
  PRIMARY KEY (msg_id, domain)
) STRICT, WITHOUT ROWID;

CREATE TABLE federation_seen (
  digest BLOB PRIMARY KEY,
  forget_day INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX federation_seen_by_day ON federation_seen(forget_day);
`,
} as const;
