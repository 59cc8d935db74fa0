/**
 * Storage discipline, checked: SQL lives only in the storage layer (src/server/storage/) and
 * in each service's query layer (`store.ts`, or a `store/` folder); transactions are opened
 * only by the storage layer and the writer (src/server/writer.ts), and the writer alone takes
 * the batch's write handle, so every write goes through the writer's group commit or through
 * `directWrite`, which says why. Tests may seed
 * rows directly and are not scanned; neither are the test-only helpers in `testing/`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const ROOT = join(import.meta.dirname, '../../..');
const SRC = join(ROOT, 'src');

/** A string or template literal that starts with an SQL statement, or a raw SQL call. */
const SQL = [
  /['"`]\s*(SELECT\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|REPLACE\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|(CREATE|DROP)\s+(UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\s|ALTER\s+TABLE\s|PRAGMA\s+\w|WITH\s+\w+\s+AS\s|BEGIN\b|COMMIT\b|VACUUM\b)/,
  /\.(prepare|pragma)\s*[(<]/,
  /\.exec\(\s*['"`]/,
];
const TRANSACTION = [/\.transaction\s*\(/];
/** The writer's own handle: anyone else calling it would write outside the group commit. */
const BATCH_HANDLE = [/\bbatchTx\s*\(/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    // src/web runs in browsers: its transactions are IndexedDB's, not SQLite's.
    if (e.isDirectory()) {
      return e.name === 'testing' || path === join(SRC, 'web') ? [] : sourceFiles(path);
    }
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

const posix = (path: string): string => relative(ROOT, path).split(sep).join('/');
const isStorage = (p: string): boolean => p.startsWith('src/server/storage/');
const isQueryLayer = (p: string): boolean => /\/store\.ts$|\/store\/[^/]+\.ts$/.test(p);

/** Files of `files` that break the rule, with the first offending line. */
export function misplaced(files: Array<{ path: string; text: string }>): string[] {
  const out: string[] = [];
  for (const { path, text: source } of files) {
    // Comments may quote SQL (`PRAGMA data_version`); line numbers are kept.
    const text = source
      .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
      .replace(/^\s*\/\/.*$/gm, '');
    // The whole text, not line by line: a template literal may open on the line before.
    const find = (res: RegExp[]): string | undefined => {
      const at = Math.min(...res.map((re) => text.search(re)).filter((i) => i >= 0));
      if (at === Infinity) return undefined;
      const line = text.slice(0, at).split('\n').length;
      return `${path}:${line}: ${text
        .slice(at, at + 60)
        .split('\n')
        .join(' ')}`;
    };
    if (!isStorage(path) && !isQueryLayer(path)) {
      const hit = find(SQL);
      if (hit !== undefined) out.push(`SQL outside a query layer: ${hit}`);
    }
    if (!isStorage(path) && path !== 'src/server/writer.ts') {
      const hit = find(TRANSACTION) ?? find(BATCH_HANDLE);
      if (hit !== undefined) out.push(`a transaction outside the writer: ${hit}`);
    }
  }
  return out;
}

test('SQL appears only in the storage layer and the query layers', () => {
  const files = sourceFiles(SRC).map((f) => ({ path: posix(f), text: readFileSync(f, 'utf8') }));
  assert.ok(files.length > 100, 'the scan found the sources');
  assert.ok(files.some((f) => f.path === 'src/server/accounts/store/users.ts'));
  assert.deepEqual(misplaced(files), []);
});

test('the check catches SQL or a transaction in a service, and allows them in a store', () => {
  const service = 'src/server/hub/hub.ts';
  assert.equal(misplaced([{ path: service, text: "q('SELECT 1 FROM groups')" }]).length, 1);
  assert.equal(misplaced([{ path: service, text: 'db.prepare(sql)' }]).length, 1);
  assert.equal(misplaced([{ path: service, text: 'const t = `\n  DELETE FROM links`' }]).length, 1);
  assert.equal(misplaced([{ path: service, text: "q(\n  'INSERT OR IGNORE INTO x')" }]).length, 1);
  // HTTP methods and prose are not SQL.
  assert.deepEqual(misplaced([{ path: service, text: "type M = 'GET' | 'DELETE';" }]), []);
  assert.deepEqual(misplaced([{ path: service, text: '// (`DELETE /api/v1/devices/:id`)' }]), []);
  assert.equal(misplaced([{ path: service, text: 'db.transaction(() => x)()' }]).length, 1);
  assert.equal(misplaced([{ path: service, text: 'store.insert(batchTx(), row)' }]).length, 1);
  assert.equal(
    misplaced([{ path: 'src/cli/admin/status.ts', text: "'UPDATE users SET removed_at = ?'" }])
      .length,
    1,
  );
  assert.deepEqual(misplaced([{ path: 'src/server/hub/store.ts', text: "q('SELECT 1')" }]), []);
  assert.deepEqual(
    misplaced([{ path: 'src/server/accounts/store/users.ts', text: "q('SELECT 1')" }]),
    [],
  );
  assert.deepEqual(misplaced([{ path: 'src/cli/admin/duration.ts', text: '/x/.exec(text)' }]), []);
});
