/**
 * A build step for the hand-written service worker: replaces the `__FOYER_SHELL__`
 * placeholder in sw.js with the list of files that make the app shell (every built file but
 * the worker itself) and a version derived from their names, which carry content hashes. A
 * new build thus yields a new worker, and the browser installs it beside the old one.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

const PLACEHOLDER = '__FOYER_SHELL__';

export function swManifest(): Plugin {
  return {
    name: 'foyer-sw-manifest',
    apply: 'build',
    generateBundle(_options, bundle) {
      const sw = bundle['sw.js'];
      if (sw === undefined || sw.type !== 'chunk')
        throw new Error('sw.js is missing from the build');
      const files = Object.keys(bundle)
        .filter((name) => name !== 'sw.js' && name !== 'index.html' && !name.endsWith('.map'))
        .map((name) => `/${name}`)
        .sort();
      const shell = ['/', ...files];
      const version = createHash('sha256').update(shell.join('\n')).digest('hex').slice(0, 16);
      const value = JSON.stringify({ version, files: shell });
      // The minifier may quote the placeholder with any of the three quote characters.
      const quoted = ['"', "'", '`']
        .map((q) => `${q}${PLACEHOLDER}${q}`)
        .find((s) => sw.code.includes(s));
      if (quoted === undefined) throw new Error('sw.js lacks the shell placeholder');
      sw.code = sw.code.replace(quoted, value);
    },
  };
}
