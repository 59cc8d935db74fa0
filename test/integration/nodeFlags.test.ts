/**
 * `foyer start` runs the server under its V8 heap settings whatever started it: the process
 * that answers is the one that was spawned (replaced in place, nothing left behind), its
 * command line carries the flags, and an operator's own choice wins.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SERVER_NODE_FLAGS } from '../../src/cli/nodeFlags.ts';
import { removeDir, startServerProcess } from '../helpers/server.ts';

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

test('foyer start applies its heap flags in the spawned process itself', async () => {
  const server = await startServerProcess();
  try {
    const pid = server.proc.pid!;
    const argv = commandLine(pid);
    for (const flag of SERVER_NODE_FLAGS)
      assert.ok(argv.includes(flag), `${flag} in ${argv.join(' ')}`);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.stop();
    removeDir(server.dataDir);
  }
});

test("an operator's own heap flag wins; FOYER_NODE_FLAGS=0 starts with Node's defaults", async () => {
  const own = await startServerProcess({ env: { NODE_OPTIONS: '--max-old-space-size=300' } });
  try {
    const argv = commandLine(own.proc.pid!);
    assert.ok(argv.includes('--max-semi-space-size=1'));
    assert.ok(!argv.some((a) => a.startsWith('--max-old-space-size')), argv.join(' '));
  } finally {
    await own.stop();
    removeDir(own.dataDir);
  }
  const none = await startServerProcess({ env: { FOYER_NODE_FLAGS: '0' } });
  try {
    const argv = commandLine(none.proc.pid!);
    assert.ok(!argv.some((a) => a.startsWith('--max-')), argv.join(' '));
  } finally {
    await none.stop();
    removeDir(none.dataDir);
  }
});
