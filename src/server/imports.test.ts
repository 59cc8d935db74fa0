/**
 * What the server loads at start is resident for as long as it runs: the modules only some
 * installations or some requests need stay out of the start-up graph (their cost is in
 * docs/performance.md, "Where idle memory goes").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** Every module (files, then Node's own) loaded by importing the start command and the server, in a fresh process. */
function loadedAtStart(): string[] {
  const script = `
    import module from 'node:module';
    const seen = [];
    module.registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
    await import(${JSON.stringify(new URL('../cli/admin/start.ts', import.meta.url).href)});
    await import(${JSON.stringify(new URL('./app.ts', import.meta.url).href)});
    // Node's own modules (process.moduleLoadList) with the files: undici is one of them.
    process.stdout.write(JSON.stringify([...seen, ...process.moduleLoadList]));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

test('the server starts without MLS group operations, HPKE, ACME, mDNS, port mapping, the local CA, backups or undici', () => {
  const loaded = loadedAtStart();
  assert.ok(
    loaded.some((url) => url.includes('/ts-mls/dist/src/message.js')),
    'the MLS message codecs are loaded (the hub reads framing)',
  );
  const unwanted = [
    '/ts-mls/dist/src/index.js',
    '/ts-mls/dist/src/clientState.js',
    '/@hpke/',
    '/acme-client/',
    '/@homebridge/ciao/',
    // Router port mapping (UPnP, NAT-PMP), loaded when on.
    '/@achingbrain/',
    // The local certificate authority's X.509 library, loaded in local HTTPS mode.
    '/@peculiar/',
    // Scheduled backups, loaded when a backup folder is set.
    '/server/backup/',
    '/home/portMapping/portMapper.ts',
    // Node's bundled fetch and WebSocket client, pulled in by an ES import of node:http.
    'internal/deps/undici/undici',
  ];
  for (const part of unwanted) {
    const hit = loaded.find((url) => url.includes(part));
    assert.equal(hit, undefined, `${part} loaded at start`);
  }
});
