/** An in-memory database with Foyer's schema, for unit tests of one server module. */
import Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../storage/sqlite.ts';
import { migrate } from '../storage/migrate.ts';
import { migrations } from '../storage/migrations/index.ts';

export function memoryDb(): Db {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  return db;
}
