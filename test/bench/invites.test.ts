/**
 * `createInvites` (bench/lib/processes.ts) reads the CLI's JSON once its output has ended, not
 * when the process exits: a stand-in CLI exits at once while a child it leaves behind still
 * holds its standard output and writes the JSON later — what a loaded machine can do to the
 * real CLI's last write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInvites, parseInvite } from '../../bench/lib/processes.ts';

test('createInvites waits for the end of the output, not for the exit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-bench-invites-'));
  try {
    const cli = join(dir, 'late-cli.mjs');
    // The child writes after 300 ms; the stand-in itself exits immediately with status 0.
    writeFileSync(
      cli,
      `import { spawn } from 'node:child_process';
const late = 'setTimeout(() => process.stdout.write(JSON.stringify({ code: "late-code-" + process.pid })), 300)';
spawn(process.execPath, ['-e', late], { stdio: ['ignore', 'inherit', 'inherit'] });
process.exit(0);
`,
    );
    const codes = await createInvites(cli, dir, 3, 2);
    assert.equal(codes.length, 3);
    for (const c of codes) assert.match(c, /^late-code-\d+$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('createInvites reports a failing command with its output', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-bench-invites-'));
  try {
    const cli = join(dir, 'failing-cli.mjs');
    writeFileSync(cli, `process.stderr.write('no data folder'); process.exit(3);\n`);
    await assert.rejects(createInvites(cli, dir, 1), /failed \(3\): no data folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parseInvite quotes output that is not the JSON it expects', () => {
  assert.equal(parseInvite('{"code":"abc"}\n'), 'abc');
  assert.throws(() => parseInvite(''), /printed no JSON .*: ""/);
  assert.throws(() => parseInvite('{"code":1}'), /no invite code/);
});
