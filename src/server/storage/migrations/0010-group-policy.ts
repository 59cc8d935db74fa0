/**
 * Group governance (issue 11): the hub keeps each group's current policy (the group-context
 * extension its commits change; roles and bans, no profile text) to refuse forbidden commits.
 * NULL for groups created without one (they stay ungoverned).
 */
export const migration = {
  version: 10,
  name: 'group-policy',
  sql: `
ALTER TABLE groups ADD COLUMN policy BLOB;
`,
};
