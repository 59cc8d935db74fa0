import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { FileStorage } from './fileStore.ts';
import { Writer } from '../../shared/protocol/binary.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

test('records persist across reopening; deletes remove files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-fs-'));
  const a = FileStorage.open(dir);
  await a.write([
    ['one', bytes('1')],
    ['two', bytes('2')],
  ]);
  await a.write([['one', undefined]]);
  await a.close();
  const b = FileStorage.open(dir);
  assert.equal(await b.get('one'), undefined);
  assert.deepEqual(await b.get('two'), bytes('2'));
  assert.deepEqual(await b.keys(), ['two']);
  assert.ok(!existsSync(join(dir, 'journal')));
  await b.close();
});

test('a journal left by a crash is replayed on open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-fs-'));
  const s = FileStorage.open(dir);
  await s.write([['old', bytes('x')]]);
  await s.close();
  // What write() leaves behind if the process dies after the journal landed.
  const journal = new Writer()
    .u8(1)
    .u32(2)
    .string('new')
    .u8(1)
    .bytes(bytes('y'))
    .string('old')
    .u8(0)
    .finish();
  writeFileSync(join(dir, 'journal'), journal);
  const again = FileStorage.open(dir);
  assert.deepEqual(await again.get('new'), bytes('y'));
  assert.equal(await again.get('old'), undefined);
  assert.ok(!existsSync(join(dir, 'journal')));
  await again.close();
});

test('a second live process is refused; a stale lock is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-fs-'));
  const s = FileStorage.open(dir);
  // Another process trying the same folder gets code locked.
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { FileStorage } from ${JSON.stringify(new URL('./fileStore.ts', import.meta.url).href)};
       try { FileStorage.open(${JSON.stringify(dir)}); console.log('opened'); } catch (e) { console.log(e.code); }`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(child.stdout.trim(), 'locked');
  await s.close();
  // A lock file whose process is gone (pid of a finished child) is stale.
  const done = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  writeFileSync(join(dir, 'lock'), done.stdout);
  const t = FileStorage.open(dir);
  await t.close();
  assert.deepEqual(readdirSync(dir).sort(), ['records']);
});

test('keys are validated: no path tricks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-fs-'));
  const s = FileStorage.open(dir);
  await assert.rejects(s.write([['../escape', bytes('x')]]));
  await s.close();
});
