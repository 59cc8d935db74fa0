/**
 * Home operations (issue 9): a user can be disabled without losing anything (`disabled_at`),
 * and the local certificate authority of the `local` HTTPS mode lives in the database, so
 * that its key is encrypted at rest like the rest of the data and travels with every backup
 * (a restored instance keeps the authority its household's devices already trust).
 */
export const migration = {
  version: 7,
  name: 'home-operations',
  sql: `
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

CREATE TABLE local_ca (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cert_pem TEXT NOT NULL,
  key_pem TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
`,
};
