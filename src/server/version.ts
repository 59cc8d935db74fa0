/**
 * The running Foyer's version, read once from package.json (the single place it is set),
 * so that `foyer --version`, `/healthz`, `/metrics` and `/.well-known/foyer` agree.
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // src/server/version.ts and dist/server/version.js both sit two folders below the package.
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error('package.json has no version');
  return version;
}

/** Semantic version of this build, e.g. `0.1.0`. */
export const FOYER_VERSION = readVersion();

/** The `software` field of `/.well-known/foyer`. */
export const SOFTWARE = `foyer/${FOYER_VERSION}`;
