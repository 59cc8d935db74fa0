/**
 * The running Foyer's version, read once from package.json (the single place it is set),
 * so that `foyer --version`, `/healthz`, `/metrics` and `/.well-known/foyer` agree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest package.json named "foyer" above this module: src/server/, dist/server/ and a
 * bundled copy (the benchmark's) all find the same one.
 */
function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'foyer' && typeof pkg.version === 'string') return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("Foyer's package.json was not found above its code");
    dir = up;
  }
}

/** Semantic version of this build, e.g. `0.1.0`. */
export const FOYER_VERSION = readVersion();

/** The `software` field of `/.well-known/foyer`. */
export const SOFTWARE = `foyer/${FOYER_VERSION}`;
