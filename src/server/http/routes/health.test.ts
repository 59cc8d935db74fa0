import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { memoryDb } from '../../testing/memoryDb.ts';
import { checkHealth, healthRoutes } from './health.ts';

test('healthz reads the database: 200 while it answers, 503 once it is gone', async (t) => {
  const db = memoryDb();
  const app = Fastify();
  healthRoutes(app, db);
  t.after(() => app.close());
  const ok = await app.inject({ url: '/healthz' });
  assert.equal(ok.statusCode, 200);
  assert.equal((ok.json() as { database: string }).database, 'ok');
  db.close();
  const down = await app.inject({ url: '/healthz' });
  assert.equal(down.statusCode, 503);
  assert.equal((down.json() as { status: string }).status, 'unavailable');
});

test('an empty database (no schema) is not healthy', async () => {
  const { default: Database } = await import('better-sqlite3-multiple-ciphers');
  const db = new Database(':memory:');
  assert.equal(checkHealth(db).status, 'unavailable');
  db.close();
});
