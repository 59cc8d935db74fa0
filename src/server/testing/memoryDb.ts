/** An in-memory database with Foyer's schema, for unit tests of one server module. */
import Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../storage/sqlite.ts';
import { migration } from '../storage/migrations/0001-initial.ts';

export function memoryDb(): Db {
  const db = new Database(':memory:');
  db.exec(migration.sql);
  return db;
}
