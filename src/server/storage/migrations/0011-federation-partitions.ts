/**
 * Federation, partitions: what lets a follower keep its own members chatting while it cannot
 * reach a group's hub.
 *
 * - `federation_outbox.members` (hub side): with each queued item of a group, the receiving
 *   instance's own member devices after that item (JSON device ids), sent along in the batch.
 * - `federation_members` (follower side): for each group hubbed elsewhere, this instance's
 *   member devices as the hub last told them; replaced by each newer item.
 * - `federation_held` (follower side): application messages of this instance's devices that
 *   were delivered to its own members at once and wait, in order, to be submitted to the hub.
 */
export const migration = {
  version: 11,
  name: 'federation-partitions',
  sql: `
ALTER TABLE federation_outbox ADD COLUMN members TEXT;

CREATE TABLE federation_members (
  group_id BLOB PRIMARY KEY,
  devices TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE federation_held (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  hub TEXT NOT NULL,
  group_id BLOB NOT NULL,
  msg_id TEXT NOT NULL,
  body BLOB NOT NULL,
  sender_user TEXT NOT NULL,
  sender_device TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (group_id, msg_id)
) STRICT;
CREATE INDEX federation_held_hub ON federation_held (hub, seq);
`,
} as const;
