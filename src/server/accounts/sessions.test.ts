import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sessions } from './sessions.ts';
import { memoryDb } from '../testing/memoryDb.ts';
import { accountStores } from './store/index.ts';
import { Writer } from '../writer.ts';
import { fromBase64Url } from '../../shared/protocol/bytes.ts';

test('anonymous challenges write nothing, and one made for a device is refused for another', async () => {
  const db = memoryDb();
  const writer = new Writer(db, { onAbort: () => assert.fail('batch aborted') });
  const sessions = new Sessions(accountStores(db), writer, 3600_000);
  const rows = (): number =>
    (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
  for (let i = 0; i < 1000; i++) sessions.challenge(`device${i}`);
  assert.equal(rows(), 0);
  assert.equal(
    db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'challenges'").get(),
    undefined,
  );
  const c = fromBase64Url(sessions.challenge('a').challenge)!;
  await assert.rejects(sessions.open('b', c, new Uint8Array(64)), { code: 'unauthenticated' });
  await assert.rejects(sessions.open('a', c, new Uint8Array(64)), { code: 'unauthenticated' });
  // An expired challenge is refused even with the right device.
  const old = fromBase64Url(sessions.challenge('a', Date.now() - 3 * 60_000).challenge)!;
  await assert.rejects(sessions.open('a', old, new Uint8Array(64)), { code: 'unauthenticated' });
});
