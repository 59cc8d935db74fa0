// Builds the web app into dist/web. The service worker is a second entry with a fixed name
// (/sw.js) so that browsers find it; every other file gets a content hash in its name, which
// is what lets the server cache them for a year.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { swManifest } from './swManifest.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  publicDir: 'public',
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2023',
    sourcemap: false,
    // The polyfill would be an inline script, which the Content-Security-Policy forbids.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rolldownOptions: {
      input: { main: `${root}index.html`, sw: `${root}sw/sw.ts` },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  plugins: [swManifest()],
});
