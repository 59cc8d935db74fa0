import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { migrate, schemaVersion, type Migration } from './migrate.ts';
import { migrations } from './migrations/index.ts';
import { StorageError } from './errors.ts';

const extra: Migration[] = [
  ...migrations,
  {
    version: migrations.at(-1)!.version + 1,
    name: 'notes',
    sql: 'CREATE TABLE notes (x TEXT) STRICT;',
  },
  {
    version: migrations.at(-1)!.version + 2,
    name: 'seed',
    up: (db) => db.prepare("INSERT INTO notes (x) VALUES ('seeded')").run(),
  },
];

test('the migration list matches the NNNN-name.ts files of the folder, in order', () => {
  const files = readdirSync(new URL('./migrations/', import.meta.url))
    .filter((f) => /^\d{4}-.*\.ts$/.test(f) && !f.endsWith('.test.ts'))
    .sort();
  assert.equal(files.length, migrations.length);
  files.forEach((file, i) => {
    // Numbers are reserved per capability, so the list may have gaps until all are merged.
    assert.equal(migrations[i]?.version, Number(file.slice(0, 4)), file);
    assert.equal(file, `${file.slice(0, 4)}-${migrations[i]?.name}.ts`);
  });
});

test('migrations apply in order, once', () => {
  const db = new Database(':memory:');
  assert.deepEqual(
    migrate(db, extra),
    extra.map((m) => m.version),
  );
  assert.equal(schemaVersion(db), extra.at(-1)!.version);
  assert.deepEqual(migrate(db, extra), [], 'second run applies nothing');
  assert.deepEqual(db.prepare('SELECT x FROM notes').all(), [{ x: 'seeded' }]);
  db.close();
});

test('a later run applies only the new migrations', () => {
  const db = new Database(':memory:');
  assert.deepEqual(
    migrate(db, migrations),
    migrations.map((m) => m.version),
  );
  assert.deepEqual(migrate(db, extra), [
    migrations.at(-1)!.version + 1,
    migrations.at(-1)!.version + 2,
  ]);
  db.close();
});

test('a failing migration rolls back entirely and leaves the version', () => {
  const db = new Database(':memory:');
  migrate(db, migrations);
  const broken: Migration[] = [
    ...migrations,
    {
      version: migrations.at(-1)!.version + 1,
      name: 'broken',
      sql: 'CREATE TABLE t1 (x); INSERT INTO nope VALUES (1);',
    },
  ];
  assert.throws(() => migrate(db, broken), /no such table: nope/);
  assert.equal(schemaVersion(db), migrations.at(-1)!.version);
  assert.deepEqual(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't1'").get(), {
    n: 0,
  });
  db.close();
});

test('a table rebuild that would break a reference rolls back, foreign keys back on', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  db.exec(`INSERT INTO users (id, name, identity_key, created_at) VALUES (1, 'a', x'00', 0);
    INSERT INTO devices (id, user_id, signature_key, credential, created_at)
      VALUES ('d', 1, x'00', x'00', 0);`);
  const rebuild = (sql: string): Migration[] => [
    ...migrations,
    { version: migrations.at(-1)!.version + 1, name: 'rebuild', rebuildsTables: true, sql },
  ];
  const dangling = rebuild(`CREATE TABLE users_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
      identity_key BLOB NOT NULL, admin INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
      removed_at INTEGER) STRICT;
    DROP TABLE users; ALTER TABLE users_new RENAME TO users;`);
  assert.throws(
    () => migrate(db, dangling),
    (e: unknown) => e instanceof StorageError && /1 broken references/.test(e.message),
  );
  assert.equal(schemaVersion(db), migrations.at(-1)!.version);
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.deepEqual(db.prepare('SELECT name FROM users').all(), [{ name: 'a' }], 'rolled back');
  db.close();
});

test('a database newer than the code is refused with a clear message', () => {
  const db = new Database(':memory:');
  migrate(db, extra);
  assert.throws(
    () => migrate(db, migrations),
    (err: unknown) =>
      err instanceof StorageError &&
      err.code === 'usage' &&
      err.message.includes(`schema version ${extra.at(-1)!.version}`) &&
      err.message.includes('newer Foyer'),
  );
  db.close();
});

test('a list with a gap is a programming error', () => {
  const db = new Database(':memory:');
  const gap = [{ version: 2, name: 'two', sql: '' }];
  assert.throws(() => migrate(db, gap), /out of order/);
  db.close();
});
