/**
 * Federation, second part: which instance is the hub of each group this instance follows
 * (learnt from the first peer that delivered an item of that group here), and the device
 * that submitted each queued item, so the hub can tell it when the peer accepted the item
 * or when the queue gave it up.
 */
export const migration = {
  version: 8,
  name: 'federation-hubs',
  sql: `
CREATE TABLE federation_groups (
  group_id BLOB PRIMARY KEY,
  hub TEXT NOT NULL,
  since INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

ALTER TABLE federation_outbox ADD COLUMN sender_domain TEXT;
ALTER TABLE federation_outbox ADD COLUMN sender_device TEXT;
`,
} as const;
