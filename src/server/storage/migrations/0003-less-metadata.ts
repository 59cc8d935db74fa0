/**
 * Less metadata kept (issue 8): what the database holds in clear for whoever has its key is
 * cut to what routing, deduplication and the limits need.
 *
 * - `submissions` (which device sent which message to which group, and when, for 30 days)
 *   becomes `seen_messages`: a digest of (group, message id) and the day it may be forgotten,
 *   nothing else — enough to answer a retry with `duplicate`.
 * - Login challenges are no longer stored (they are stateless): `challenges` goes.
 * - A used invite is deleted, so it cannot be tied to the account it created.
 * - Groups forget their creating device; times kept for display or expiry are coarsened to
 *   the day (account and device creation, group creation, last seen).
 */
import { createHash } from 'node:crypto';
import type { Db } from '../sqlite.ts';

const DAY_MS = 24 * 3600 * 1000;
/** Retries come for at most 7 days (the client outbox); one more day of margin. */
const WINDOW_DAYS = 8;

export const migration = {
  version: 3,
  name: 'less-metadata',
  sql: `
CREATE TABLE seen_messages (
  digest BLOB PRIMARY KEY,
  forget_day INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX seen_messages_by_day ON seen_messages(forget_day);

DROP TABLE challenges;
DELETE FROM invites WHERE used_at IS NOT NULL;
ALTER TABLE groups DROP COLUMN created_by;
UPDATE groups SET created_at = created_at - created_at % ${DAY_MS};
UPDATE users SET created_at = created_at - created_at % ${DAY_MS};
UPDATE devices SET created_at = created_at - created_at % ${DAY_MS},
  last_seen_at = last_seen_at - last_seen_at % ${DAY_MS};
`,
  up(db: Db): void {
    const insert = db.prepare(
      'INSERT OR IGNORE INTO seen_messages (digest, forget_day) VALUES (?, ?)',
    );
    const rows = db
      .prepare('SELECT group_id, msg_id, accepted_at FROM submissions')
      .all() as Array<{ group_id: Uint8Array; msg_id: string; accepted_at: number }>;
    for (const r of rows) {
      const digest = createHash('sha256')
        .update('foyer/v1 seen\0')
        .update(r.group_id)
        .update(`\0${r.msg_id}`)
        .digest()
        .subarray(0, 16);
      insert.run(digest, Math.floor(r.accepted_at / DAY_MS) + WINDOW_DAYS);
    }
    db.exec('DROP TABLE submissions');
  },
} as const;
