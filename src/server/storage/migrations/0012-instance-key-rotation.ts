/**
 * Instance key rotation: this instance's own rotation statements (its key history: each old
 * key, the key that replaced it, when, and the old key's signature over that), published at
 * /.well-known/foyer; and, per peer, the rotations this instance followed from the key it had
 * pinned, so a client that pinned an earlier key of that peer can follow them too.
 */
export const migration = {
  version: 12,
  name: 'instance-key-rotation',
  sql: `
CREATE TABLE instance_key_rotations (
  seq INTEGER PRIMARY KEY,
  old_key BLOB NOT NULL,
  new_key BLOB NOT NULL UNIQUE,
  at INTEGER NOT NULL,
  signature BLOB NOT NULL
) STRICT;

CREATE TABLE federation_peer_rotations (
  seq INTEGER PRIMARY KEY,
  domain TEXT NOT NULL,
  old_key BLOB NOT NULL,
  new_key BLOB NOT NULL,
  at INTEGER NOT NULL,
  signature BLOB NOT NULL,
  recorded_at INTEGER NOT NULL,
  UNIQUE (domain, new_key)
) STRICT;
`,
} as const;
