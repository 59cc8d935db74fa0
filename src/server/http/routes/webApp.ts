/**
 * The web app, served from the same origin as the API (so `connect-src 'self'` holds and no
 * CORS is needed). `/` and `/join` are the app's page; everything else is a built file.
 * Hashed assets are cached for a year; the page, the service worker and the manifest are
 * revalidated on every load (ETag), so an update reaches people at their next visit.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FoyerError } from '../../../shared/protocol/errors.ts';
import { loadWebFiles, type WebFile } from '../../web/webFiles.ts';

/** The paths the app's page answers (the app routes inside itself after that). */
const PAGE_PATHS = new Set(['/', '/join']);

const NOT_BUILT =
  '<!doctype html><meta charset="utf-8"><title>Foyer</title>' +
  '<p>The Foyer web app is not built. Run <code>npm run build</code> (or <code>npm ci</code>), then restart the server.</p>';

/**
 * Mounts the app's routes. The files are read on the first request rather than at start, so
 * the server's cold start (measured to `/healthz`) does not pay for compressing them.
 */
export function webAppRoutes(
  app: FastifyInstance,
  load: () => ReadonlyMap<string, WebFile> = loadWebFiles,
): void {
  let files: ReadonlyMap<string, WebFile> | undefined;
  const serve = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    files ??= load();
    const path = req.url.split('?')[0] ?? '/';
    const file = PAGE_PATHS.has(path) ? files.get('/index.html') : files.get(path);
    if (file === undefined) {
      if (PAGE_PATHS.has(path))
        return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
      return reply.code(404).send(new FoyerError('not_found', 'no such route').toBody());
    }
    return send(req, reply, file);
  };
  app.get('/', serve);
  app.get('/join', serve);
  app.get('/sw.js', serve);
  app.get('/manifest.webmanifest', serve);
  app.get('/icons/*', serve);
  app.get('/assets/*', serve);
}

function send(req: FastifyRequest, reply: FastifyReply, file: WebFile): FastifyReply {
  reply.header(
    'cache-control',
    file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  );
  reply.header('etag', file.etag);
  reply.header('vary', 'accept-encoding');
  reply.type(file.type);
  if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const acceptsGzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  if (file.gzip !== undefined && acceptsGzip) {
    reply.header('content-encoding', 'gzip');
    return reply.send(file.gzip);
  }
  return reply.send(file.body);
}
