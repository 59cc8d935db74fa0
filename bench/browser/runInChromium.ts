/**
 * Bundles bench/browser/entry.ts with Vite, serves it from a throwaway HTTP server on
 * 127.0.0.1 (a secure context, so WebCrypto is there) and runs it in Debian's Chromium.
 */
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import type { CryptoReport } from '../cryptoOps.ts';

interface Bench {
  foyerCryptoBench(quick: boolean): Promise<CryptoReport>;
}

export async function runInChromium(quick: boolean): Promise<CryptoReport & { userAgent: string }> {
  const out = mkdtempSync(join(tmpdir(), 'foyer-bench-'));
  try {
    await build({
      configFile: false,
      logLevel: 'error',
      build: {
        outDir: out,
        target: 'es2023',
        minify: true,
        lib: { entry: join(import.meta.dirname, 'entry.ts'), formats: ['es'], fileName: 'bench' },
      },
    });
    // The bundle is split into chunks (ts-mls loads some primitives lazily): serve them all.
    const chunks = new Map(
      readdirSync(out)
        .filter((f) => f.endsWith('.js'))
        .map((f) => [`/${f}`, readFileSync(join(out, f))]),
    );
    const server = createServer((req, res) => {
      const chunk = chunks.get(req.url ?? '');
      if (chunk !== undefined) {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(chunk);
        return;
      }
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><script type="module" src="/bench.js"></script>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page
        .waitForFunction(
          () => typeof (globalThis as unknown as Bench).foyerCryptoBench === 'function',
        )
        .catch((err: unknown) => {
          throw new Error(`the benchmark page did not start: ${errors.join('; ') || String(err)}`);
        });
      const report = await page.evaluate(
        (q) => (globalThis as unknown as Bench).foyerCryptoBench(q),
        quick,
      );
      const userAgent = await page.evaluate(() => navigator.userAgent);
      return { ...report, userAgent };
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
