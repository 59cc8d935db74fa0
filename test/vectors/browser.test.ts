/**
 * Replays the known-answer vectors in Debian's Chromium: the shared codecs, bundled by Vite
 * the way the web app bundles them, must produce and read the very bytes Node does.
 * The page is served from loopback (a secure context, as WebCrypto requires).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { loadVectors } from './load.ts';
import { replay, type ReplayResult, type VectorFile } from './formats.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? false : `Debian's chromium is not installed at ${CHROMIUM}`;

let outDir = '';
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;

before(async () => {
  if (missing !== false) return;
  outDir = mkdtempSync(join(tmpdir(), 'foyer-vectors-'));
  await build({
    configFile: false,
    // Vite warns that @hpke's Node fallback import of `crypto` is externalised: the
    // browser path never takes it.
    logLevel: 'error',
    root: import.meta.dirname,
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'es2023',
      lib: {
        entry: join(import.meta.dirname, 'browserEntry.ts'),
        formats: ['es'],
        fileName: 'vectors',
      },
    },
  });
  // The bundle and its chunks (ts-mls loads some ciphersuites lazily), served by name.
  const files = new Map(readdirSync(outDir).map((f) => [`/${f}`, readFileSync(join(outDir, f))]));
  server = createServer((req, res) => {
    const file = files.get(req.url ?? '');
    if (file !== undefined) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(file);
    } else if (req.url === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<!doctype html><link rel="icon" href="data:,"><script type="module" src="/vectors.js"></script>',
        );
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => 'foyerVectors' in globalThis, undefined, { timeout: 10_000 });
  assert.deepEqual(errors, []);
});

after(async () => {
  await browser?.close();
  server?.close();
  if (outDir !== '') rmSync(outDir, { recursive: true, force: true });
});

async function replayInChromium(file: VectorFile): Promise<ReplayResult> {
  return page.evaluate(async (f) => {
    const api = (
      globalThis as unknown as {
        foyerVectors: { replay(f: unknown): Promise<ReplayResult> };
      }
    ).foyerVectors;
    return api.replay(f);
  }, file);
}

for (const file of loadVectors()) {
  test(`${file.format} vectors replay in Chromium`, { skip: missing }, async () => {
    const inBrowser = await replayInChromium(file);
    assert.deepEqual(inBrowser.failures, []);
    assert.equal(inBrowser.checked, file.vectors.length);
    // The browser checked exactly what Node checks.
    assert.deepEqual(inBrowser, await replay(file));
  });
}
