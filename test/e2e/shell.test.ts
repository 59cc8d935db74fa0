/**
 * The page itself: served from the same origin with a strict Content-Security-Policy and the
 * right caching, explained instead of broken on a non-secure origin, and rendering its first
 * screen without any CSP violation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import type { ServerProcess } from '../helpers/server.ts';
import { INSECURE_HOST, launchBrowser, newPerson, skipReason, startWebServer } from './harness.ts';

const skip = skipReason();

describe('the web app shell', { skip }, () => {
  let server: ServerProcess;
  let browser: Browser;
  before(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the page carries a strict CSP, no referrer, no framing, and revalidates', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'none'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
    }
    assert.ok(!/unsafe-inline/.test(csp), 'CSP must not allow inline code');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'an inline script');
    assert.doesNotMatch(html, /\sstyle=|<style/, 'an inline style');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset);
    const a = await fetch(`${server.url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(a.headers.get('content-encoding'), 'gzip');
    const again = await fetch(`${server.url}${asset}`, {
      headers: { 'if-none-match': a.headers.get('etag') ?? '' },
    });
    assert.equal(again.status, 304);
    const sw = await fetch(`${server.url}/sw.js`);
    assert.equal(sw.headers.get('cache-control'), 'no-cache');
    assert.doesNotMatch(await sw.text(), /__FOYER_SHELL__/);
    // The API keeps answering JSON errors on unknown routes.
    const api = await fetch(`${server.url}/api/v1/nothing-here`);
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  test('the first load is at most 150 KB of gzipped JavaScript; the engine loads later', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    assert.ok(first.length > 0);
    let total = 0;
    for (const path of first) {
      const body = Buffer.from(await (await fetch(`${server.url}${path}`)).arrayBuffer());
      total += gzipSync(body, { level: 9 }).length;
    }
    console.log(`first load: ${first.length} scripts, ${(total / 1024).toFixed(1)} KiB gzipped`);
    assert.ok(total <= 150 * 1024, `first load is ${total} bytes gzipped`);
    // The engine (MLS, Argon2id) is not part of it.
    const loaded = (
      await Promise.all(first.map(async (p) => (await fetch(`${server.url}${p}`)).text()))
    ).join('\n');
    assert.doesNotMatch(loaded, /argon2id|ts-mls|tlsEncoder/i);
  });

  test('on plain HTTP at another address the page explains why it cannot work', async () => {
    const p = await newPerson(browser, 'visitor');
    const port = new URL(server.url).port;
    await p.page.goto(`http://${INSECURE_HOST}:${port}/join#abc`);
    await p.page.getByRole('heading', { name: 'This address is not secure' }).waitFor();
    assert.match(await p.page.locator('main').innerText(), /HTTPS/);
    assert.deepEqual(p.cspViolations, []);
    await p.context.close();
  });

  test('an invite link opens the join screen, in French for a French browser', async () => {
    const p = await newPerson(browser, 'visiteur', { locale: 'fr-FR' });
    await p.page.goto(`${server.url}/join#${server.adminInvite}`);
    await p.page.getByRole('heading', { name: 'Rejoindre le foyer' }).waitFor();
    await p.page.getByLabel('Votre nom').waitFor();
    assert.equal(await p.page.locator('html').getAttribute('lang'), 'fr');
    assert.deepEqual(p.cspViolations, []);
    await p.context.close();
  });
});
