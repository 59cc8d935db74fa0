import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../shared/engine/index.ts';
import { FAST_KDF, fakeServer } from '../../shared/engine/testing/household.ts';
import { FileStorage } from './fileStore.ts';
import { clientMain } from './main.ts';
import type { ClientIo } from './io.ts';

/** A registered client store on disk (its server is a fake: these commands stay offline). */
async function storeOnDisk(): Promise<string> {
  const server = await fakeServer();
  const dir = mkdtempSync(join(tmpdir(), 'foyer-damaged-'));
  const engine = await Engine.register(
    FileStorage.open(dir),
    'pw',
    { server: 'http://fake.invalid', invite: server.newInvite(), name: 'alice' },
    { kdf: FAST_KDF, transport: () => server.transport() },
  );
  await engine.close();
  return dir;
}

async function run(dir: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ClientIo = {
    env: { FOYER_PASSPHRASE: 'pw' },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    interactive: false,
  };
  const code = await clientMain([...args, '--store', dir], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function flipEveryRecord(dir: string): void {
  const records = join(dir, 'records');
  for (const name of readdirSync(records)) {
    if (name === 'header') continue;
    const b = readFileSync(join(records, name));
    b[b.length - 1]! ^= 1;
    writeFileSync(join(records, name), b);
  }
}

test('a damaged record gives corrupt_store, with the failed authentication as its cause', async (t) => {
  const dir = await storeOnDisk();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal((await run(dir, 'whoami', '--json')).code, 0);
  flipEveryRecord(dir);

  const asJson = await run(dir, 'whoami', '--json');
  assert.equal(asJson.code, 1);
  const { error } = JSON.parse(asJson.out) as {
    error: { code: string; message: string; cause?: string[] };
  };
  assert.equal(error.code, 'corrupt_store');
  assert.match(error.message, /failed authentication/);
  assert.match(error.cause?.[0] ?? '', /^OperationError: /);

  const asText = await run(dir, 'whoami');
  assert.equal(asText.code, 1);
  assert.match(asText.err, /^foyer client: a client store record failed authentication/);
  assert.match(asText.err, /\nfoyer client: {3}caused by OperationError/);
});

test('a damaged store header gives corrupt_store, with the parse error as its cause', async (t) => {
  const dir = await storeOnDisk();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'records', 'header'), '{"v":1,"kdf":');
  const r = await run(dir, 'whoami', '--json');
  assert.equal(r.code, 1);
  const { error } = JSON.parse(r.out) as { error: { code: string; cause?: string[] } };
  assert.equal(error.code, 'corrupt_store');
  assert.match(error.cause?.[0] ?? '', /^SyntaxError: /);
});
