import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type OpenDatabaseOptions } from './database.ts';
import { StorageError } from './errors.ts';
import { encodeKeyFile } from './keyFile.ts';
import { schemaVersion } from './migrate.ts';
import { migrations } from './migrations/index.ts';

const FAST_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };
const MARKER = 'MARKER-5f1c-plaintext-must-not-reach-disk';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const base = mkdtempSync(join(tmpdir(), 'foyer-db-test-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  return join(base, 'data');
}

/** Content hash of every file in the folder, to prove a failed unlock changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    out[name] = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
  }
  return out;
}

function open(dataDir: string, extra: Partial<OpenDatabaseOptions> = {}) {
  return openDatabase({ dataDir, create: false, scrypt: FAST_SCRYPT, ...extra });
}

function assertLocked(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StorageError, `expected a StorageError, got ${String(err)}`);
    assert.equal(err.code, 'locked');
    assert.match(err.message, /^cannot unlock the database: /);
    assert.match(err.message, pattern);
    return true;
  });
}

test('first start creates folder (0700), key file (0600) and a migrated database; reopen reads it', (t) => {
  const dir = tempDir(t);
  const db = open(dir, { create: true });
  assert.equal(schemaVersion(db), migrations.at(-1)!.version);
  db.prepare(
    'INSERT INTO invites (code_hash, admin, created_at, expires_at) VALUES (?, 1, 1, 2)',
  ).run(Buffer.from('h'));
  db.close();
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'foyer.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'foyer.db')).mode & 0o777, 0o600);
  assert.equal(existsSync(join(dir, 'foyer.key.wrapped')), false);
  const keyBefore = readFileSync(join(dir, 'foyer.key'), 'utf8');

  const again = open(dir, { create: true });
  assert.deepEqual(again.prepare('SELECT count(*) AS n FROM invites').get(), { n: 1 });
  assert.equal(again.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(again.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(again.pragma('synchronous', { simple: true }), 2, 'FULL by default');
  again.close();
  assert.equal(readFileSync(join(dir, 'foyer.key'), 'utf8'), keyBefore, 'the key never changes');
});

test('durability normal sets synchronous = NORMAL', (t) => {
  const dir = tempDir(t);
  open(dir, { create: true }).close();
  const db = open(dir, { durability: 'normal' });
  assert.equal(db.pragma('synchronous', { simple: true }), 1);
  db.close();
});

test('without create, a missing database is not_found and nothing is created', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => open(dir),
    (err: unknown) =>
      err instanceof StorageError && err.code === 'not_found' && /foyer start/.test(err.message),
  );
  assert.equal(existsSync(dir), false);
});

test('a wrong key is refused with a clear message and leaves every file untouched (closed database)', (t) => {
  const dir = tempDir(t);
  const db = open(dir, { create: true });
  db.prepare(
    'INSERT INTO invites (code_hash, admin, created_at, expires_at) VALUES (?, 0, 1, 2)',
  ).run(Buffer.from(MARKER));
  db.close();
  writeFileSync(join(dir, 'foyer.key'), encodeKeyFile(randomBytes(32)));
  const before = snapshot(dir);
  assertLocked(() => open(dir, { create: true }), /does not open .*foyer\.db.*--data/);
  assert.deepEqual(snapshot(dir), before);
});

test('a wrong key leaves files untouched while another process has the database open', (t) => {
  const dir = tempDir(t);
  const live = open(dir, { create: true });
  t.after(() => live.close());
  live
    .prepare('INSERT INTO invites (code_hash, admin, created_at, expires_at) VALUES (?, 0, 1, 2)')
    .run(Buffer.from(MARKER));
  assert.ok(existsSync(join(dir, 'foyer.db-wal')), 'the WAL holds uncheckpointed commits');
  const copy = `${dir}-copy`;
  // The copy is what a crash leaves behind: database, WAL and index, unclean.
  cpSync(dir, copy, { recursive: true });
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  for (const folder of [dir, copy]) {
    const realKey = readFileSync(join(folder, 'foyer.key'));
    writeFileSync(join(folder, 'foyer.key'), encodeKeyFile(randomBytes(32)));
    const before = snapshot(folder);
    assertLocked(() => open(folder), /does not open/);
    assert.deepEqual(snapshot(folder), before, `${folder} untouched`);
    writeFileSync(join(folder, 'foyer.key'), realKey);
  }
  // With the right key the crashed copy recovers its WAL.
  const recovered = open(copy);
  assert.deepEqual(recovered.prepare('SELECT count(*) AS n FROM invites').get(), { n: 1 });
  recovered.close();
});

test('a missing key file is refused, never replaced, and leaves every file untouched', (t) => {
  const dir = tempDir(t);
  open(dir, { create: true }).close();
  unlinkSync(join(dir, 'foyer.key'));
  const before = snapshot(dir);
  assertLocked(() => open(dir, { create: true }), /key file .*foyer\.key is missing.*backup/);
  assert.deepEqual(snapshot(dir), before);
  assert.equal(existsSync(join(dir, 'foyer.key')), false);
});

test('a damaged key file is refused without touching anything', (t) => {
  const dir = tempDir(t);
  open(dir, { create: true }).close();
  writeFileSync(join(dir, 'foyer.key'), 'not a key\n');
  const before = snapshot(dir);
  assertLocked(() => open(dir), /damaged/);
  assert.deepEqual(snapshot(dir), before);
});

test('passphrase mode: created wrapped, reopened with the passphrase; wrong or missing passphrase refused', (t) => {
  const dir = tempDir(t);
  const db = open(dir, { create: true, passphrase: 'correct horse battery' });
  db.prepare(
    'INSERT INTO invites (code_hash, admin, created_at, expires_at) VALUES (?, 0, 1, 2)',
  ).run(Buffer.from('x'));
  db.close();
  assert.equal(existsSync(join(dir, 'foyer.key')), false, 'no plain key in passphrase mode');
  assert.equal(statSync(join(dir, 'foyer.key.wrapped')).mode & 0o777, 0o600);
  const wrapped = JSON.parse(readFileSync(join(dir, 'foyer.key.wrapped'), 'utf8')) as {
    kdf: { name: string };
  };
  assert.equal(wrapped.kdf.name, 'scrypt');

  const again = open(dir, { passphrase: 'correct horse battery' });
  assert.deepEqual(again.prepare('SELECT count(*) AS n FROM invites').get(), { n: 1 });
  again.close();

  const before = snapshot(dir);
  assertLocked(() => open(dir, { passphrase: 'wrong horse battery' }), /passphrase does not open/);
  assertLocked(
    () => open(dir, { create: true }),
    /protected by a passphrase.*FOYER_DATA_PASSPHRASE/,
  );
  assert.deepEqual(snapshot(dir), before);
});

test('a passphrase given for a folder in key file mode is refused, not ignored', (t) => {
  const dir = tempDir(t);
  open(dir, { create: true }).close();
  const before = snapshot(dir);
  assertLocked(() => open(dir, { passphrase: 'some passphrase' }), /foyer key wrap/);
  assert.deepEqual(snapshot(dir), before);
});

test('a too-short passphrase is refused before anything is created', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => open(dir, { create: true, passphrase: 'short' }),
    (err: unknown) => err instanceof StorageError && err.code === 'usage',
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('encryption at rest: no marker and no SQLite header in any file, before and after checkpoint', (t) => {
  const dir = tempDir(t);
  const db = open(dir, { create: true });
  const insert = db.prepare(
    'INSERT INTO users (name, identity_key, admin, created_at) VALUES (?, ?, 0, 1)',
  );
  for (let i = 0; i < 50; i++) insert.run(`${MARKER}-${i}`.slice(0, 60), Buffer.from(MARKER));
  const scan = (when: string) => {
    const files = readdirSync(dir);
    assert.ok(files.length > 0);
    for (const name of files) {
      const bytes = readFileSync(join(dir, name));
      assert.equal(bytes.includes(MARKER), false, `${when}: marker found in ${name}`);
      assert.equal(bytes.includes('SQLite format 3'), false, `${when}: SQLite header in ${name}`);
    }
  };
  assert.ok(statSync(join(dir, 'foyer.db-wal')).size > 0, 'rows are in the WAL');
  scan('before checkpoint');
  db.pragma('wal_checkpoint(TRUNCATE)');
  scan('after checkpoint');
  db.close();
  scan('after close');
});

test('a second handle (as `foyer invite create` beside the server) writes while the first is open', (t) => {
  const dir = tempDir(t);
  const server = open(dir, { create: true });
  t.after(() => server.close());
  const admin = open(dir);
  admin
    .prepare('INSERT INTO invites (code_hash, admin, created_at, expires_at) VALUES (?, 1, 1, 2)')
    .run(Buffer.from('a'));
  admin.close();
  assert.deepEqual(server.prepare('SELECT count(*) AS n FROM invites').get(), { n: 1 });
});

test('a database written by a newer Foyer is refused by openDatabase', (t) => {
  const dir = tempDir(t);
  const db = open(dir, { create: true });
  db.pragma(`user_version = ${migrations.at(-1)!.version + 5}`);
  db.close();
  assert.throws(
    () => open(dir),
    (err: unknown) =>
      err instanceof StorageError && err.code === 'usage' && /newer Foyer/.test(err.message),
  );
});
