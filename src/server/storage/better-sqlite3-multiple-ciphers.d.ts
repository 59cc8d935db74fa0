/**
 * Types for `better-sqlite3-multiple-ciphers`. The package ships an index.d.ts, but its
 * package.json `exports` has no `types` condition, so NodeNext resolution cannot see it.
 * Its API is better-sqlite3's (plus key/rekey, which Foyer does not use: it keys through
 * `PRAGMA key`), so the pinned @types/better-sqlite3 describes it.
 */
declare module 'better-sqlite3-multiple-ciphers' {
  import Database = require('better-sqlite3');
  export = Database;
}
