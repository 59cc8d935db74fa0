/**
 * Foyer's service worker: serves the app shell when the network is away, so the app opens
 * offline (the outbox lives in IndexedDB and survives; messages leave when the network
 * returns). It never touches the API or the WebSocket: those always go to the network.
 *
 * Updates: a new build is a new worker (its shell list differs). It caches the new shell
 * beside the old one, then waits: the page asks it to take over (`skipWaiting`) when the
 * person accepts the update, and reloads. Nothing the page stores is in these caches, so an
 * update cannot lose the outbox.
 */
/// <reference lib="webworker" />
declare const self: ServiceWorkerGlobalScope;

interface Shell {
  version: string;
  files: string[];
}
/** Replaced at build time by build/swManifest.ts. */
const SHELL = '__FOYER_SHELL__' as unknown as Shell;
const CACHE = `foyer-shell-${SHELL.version}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.files)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith('foyer-shell-') && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'skip-waiting') void self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/join')) {
    // The page: network first (to see updates), the cached shell when offline.
    event.respondWith(
      fetch(req).catch(
        async () => (await caches.match('/', { cacheName: CACHE })) ?? Response.error(),
      ),
    );
    return;
  }
  if (SHELL.files.includes(url.pathname)) {
    event.respondWith(
      (async () => (await caches.match(url.pathname, { cacheName: CACHE })) ?? fetch(req))(),
    );
  }
});
