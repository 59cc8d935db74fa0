/**
 * Revocations seen across processes: two connections to one real (encrypted, WAL) database
 * stand for the server and the admin command, as `foyer user remove` and `foyer start` are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../storage/database.ts';
import type { Db } from '../storage/sqlite.ts';
import { Writer } from '../writer.ts';
import { Mailboxes } from '../mailbox/mailbox.ts';
import { Revocations, revokeDeviceRows } from './revocations.ts';
import { removeUser } from './userAdmin.ts';
import { accountStores } from './store/index.ts';
import { directWrite } from '../storage/tx.ts';

function twoConnections(t: { after: (fn: () => void) => void }): { server: Db; admin: Db } {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-revocations-'));
  const server = openDatabase({ dataDir: join(dir, 'data'), create: true });
  const admin = openDatabase({ dataDir: join(dir, 'data'), create: false });
  t.after(() => {
    admin.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  server.exec(`
    INSERT INTO users (id, name, identity_key, created_at) VALUES (1, 'alice', x'01', 0), (2, 'bob', x'02', 0);
    INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES
      ('a1', 1, x'00', x'00', 0), ('b1', 2, x'00', x'00', 0), ('b2', 2, x'00', x'00', 0);
  `);
  return { server, admin };
}

test('refresh picks up revocations committed by another connection, once', (t) => {
  const { server, admin } = twoConnections(t);
  const seen: string[][] = [];
  const revocations = new Revocations(server, (ids) => seen.push(ids.sort()));
  assert.equal(revocations.has('b1'), false);

  // The server's own revocation is recorded by `add`; it does not trigger a reload.
  directWrite(server, (tx) => revokeDeviceRows(accountStores(server), tx, 'a1', 1));
  revocations.add('a1');
  revocations.refresh();
  assert.deepEqual(seen, []);

  removeUser(admin, 'bob');
  assert.equal(revocations.has('b1'), false, 'not seen before a refresh');
  revocations.refresh();
  assert.deepEqual(seen, [['b1', 'b2']]);
  assert.ok(revocations.has('b1') && revocations.has('b2') && revocations.has('a1'));
  revocations.refresh();
  assert.equal(seen.length, 1, 'each device is reported once');

  // A later revocation is told alone; a fresh instance loads every revoked device.
  admin.exec(
    "INSERT INTO devices (id, user_id, signature_key, credential, created_at) VALUES ('a2', 1, x'00', x'00', 0)",
  );
  directWrite(admin, (tx) => revokeDeviceRows(accountStores(admin), tx, 'a2', 2));
  revocations.refresh();
  assert.deepEqual(seen.at(-1), ['a2']);
  assert.ok(['a1', 'a2', 'b1', 'b2'].every((id) => new Revocations(server).has(id)));
});

test('a write batch sees revocations made elsewhere before its jobs run', async (t) => {
  const { server, admin } = twoConnections(t);
  const revocations = new Revocations(server);
  const writer = new Writer(server, {
    beforeJobs: () => revocations.refresh(),
    onAbort: () => assert.fail('no batch should abort'),
  });
  assert.equal(await writer.run(() => revocations.has('b1')), false);
  removeUser(admin, 'bob');
  // No refresh in between: the batch itself must notice.
  assert.equal(await writer.run(() => revocations.has('b1')), true);
});

test("the server's mailbox counts follow a removal made elsewhere", (t) => {
  const { server, admin } = twoConnections(t);
  const mb = new Mailboxes(server, { ttlMs: 60_000, quota: 100 });
  directWrite(server, (tx) => {
    mb.enqueue(tx, ['a1', 'b1', 'b2'], 'message', new Uint8Array(16), 'm1', new Uint8Array(1), 1);
    mb.enqueue(tx, ['b1'], 'message', new Uint8Array(16), 'm2', new Uint8Array(1), 2);
  });
  assert.equal(mb.depth(), 4);
  assert.equal(removeUser(admin, 'bob').queuedMessages, 3);
  // What app.ts does for each device `refresh` reports: the rows are already gone.
  directWrite(server, (tx) => {
    mb.drop(tx, 'b1');
    mb.drop(tx, 'b2');
  });
  assert.equal(mb.depth(), 1);
  assert.equal(mb.page('a1', 0, 10).items.length, 1);
});
