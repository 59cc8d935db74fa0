/**
 * The built web app (dist/web, written by `vite build`), read into memory once at start: it is
 * small (a few hundred KB), and serving from memory with precomputed gzip keeps a Raspberry
 * Pi's SD card and CPU out of every page load.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One file ready to serve. */
export interface WebFile {
  body: Buffer;
  /** The gzip encoding, when it is worth it (text types). */
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  /** Hashed names never change content: they may be cached for a year. */
  immutable: boolean;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.txt']);

/**
 * The built app's folder. This module sits at the same depth below the package root in
 * `src/` (run from source) and `dist/` (compiled), so one relative path fits both.
 */
export const DEFAULT_WEB_ROOT = resolve(import.meta.dirname, '../../../dist/web');

/** Reads every file under `root` (URL path → file); an empty map when the app is not built. */
export function loadWebFiles(root: string = DEFAULT_WEB_ROOT): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  if (!existsSync(root)) return files;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const ext = extname(name);
      const body = readFileSync(path);
      const urlPath = '/' + relative(root, path).split(sep).join('/');
      files.set(urlPath, {
        body,
        gzip: COMPRESSIBLE.has(ext) && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined,
        type: TYPES[ext] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: urlPath.startsWith('/assets/'),
      });
    }
  };
  walk(root);
  return files;
}
