/**
 * `GET /healthz`: 200 only when the database answers. A process that still listens but whose
 * database is gone, closed or unreadable must look unhealthy to a supervisor or a doctor.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../storage/sqlite.ts';
import { FOYER_VERSION } from '../../version.ts';
import { schemaObjects } from '../../storage/maintenance.ts';

/** The health body; `database` is `ok` or what failed (no path, no identifiers). */
export interface Health {
  status: 'ok' | 'unavailable';
  version: string;
  database: string;
}

/**
 * Reads the schema through the cipher (a statement on a real table, not `SELECT 1`, which
 * never touches the file) and returns the health.
 */
export function checkHealth(db: Db): Health {
  try {
    if (schemaObjects(db) === 0) {
      return { status: 'unavailable', version: FOYER_VERSION, database: 'empty schema' };
    }
    return { status: 'ok', version: FOYER_VERSION, database: 'ok' };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : (err as Error).name;
    return { status: 'unavailable', version: FOYER_VERSION, database: reason };
  }
}

export function healthRoutes(app: FastifyInstance, db: Db): void {
  app.get('/healthz', async (_req, reply) => {
    const health = checkHealth(db);
    return reply.code(health.status === 'ok' ? 200 : 503).send(health);
  });
}
