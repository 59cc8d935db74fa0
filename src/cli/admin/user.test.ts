/**
 * The confirmation of `foyer user remove`, with the terminal replaced by a scripted Io (the
 * rest — a real server, real devices, real processes — is test/integration/cli-users.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../server/storage/database.ts';
import { listUsers } from '../../server/accounts/userAdmin.ts';
import { UsageError } from './args.ts';
import type { Io } from './io.ts';
import { userCommand, userTable } from './user.ts';

function dataFolder(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-user-cmd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const db = openDatabase({ dataDir: data, create: true });
  db.exec(`
    INSERT INTO users (id, name, identity_key, admin, created_at) VALUES (1, 'bob', x'02', 1, 0);
    INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES
      ('b1', 1, x'00', x'00', 0), ('b2', 1, x'00', x'00', 0);
  `);
  db.close();
  return data;
}

function names(data: string): string[] {
  const db = openDatabase({ dataDir: data, create: false });
  try {
    return listUsers(db).map((u) => u.name);
  } finally {
    db.close();
  }
}

/** An Io whose terminal answers `answer` (or is absent), recording what was asked. */
function scripted(answer: boolean | undefined) {
  const asked: string[] = [];
  const out: string[] = [];
  const io: Io = {
    env: {},
    cwd: process.cwd(),
    out: (s) => out.push(s),
    err: () => undefined,
    interactive: answer !== undefined,
    confirm: async (q) => {
      asked.push(q);
      return answer ?? assert.fail('asked without a terminal');
    },
  };
  return { io, asked, out };
}

test('on a terminal, "no" removes nothing and "yes" removes', async (t) => {
  const data = dataFolder(t);
  const no = scripted(false);
  await assert.rejects(userCommand(no.io, ['remove', 'bob', '--data', data]), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.equal(err.message, 'cancelled: "bob" was not removed');
    return true;
  });
  assert.match(no.asked[0] ?? '', /^Remove user "bob" \(2 devices, admin\)\? .*\[y\/N\] $/);
  assert.deepEqual(names(data), ['bob']);

  const yes = scripted(true);
  assert.equal(await userCommand(yes.io, ['remove', 'bob', '--data', data]), 0);
  assert.equal(yes.asked.length, 1);
  assert.match(yes.out[0] ?? '', /^Removed "bob": 2 devices revoked, 0 queued messages deleted\.$/);
  assert.deepEqual(names(data), []);
});

test('without a terminal, --yes is required and nothing is asked', async (t) => {
  const data = dataFolder(t);
  const none = scripted(undefined);
  await assert.rejects(userCommand(none.io, ['remove', 'bob', '--data', data]), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /standard input is not a terminal; run again with --yes/);
    return true;
  });
  assert.deepEqual(names(data), ['bob']);
  assert.equal(await userCommand(none.io, ['remove', 'bob', '--yes', '--data', data]), 0);
  assert.deepEqual(names(data), []);
});

test('the table aligns its columns', () => {
  assert.equal(
    userTable([
      { name: 'alexandra', admin: true, devices: 12, createdAt: Date.UTC(2026, 0, 2) },
      { name: 'bo', admin: false, devices: 1, createdAt: Date.UTC(2026, 4, 30) },
    ]),
    [
      'NAME       ADMIN  DEVICES  CREATED',
      'alexandra  yes    12       2026-01-02',
      'bo         no     1        2026-05-30',
    ].join('\n'),
  );
});
