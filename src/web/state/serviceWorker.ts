/**
 * The page's side of the service worker: registers it, and when a new version has installed
 * beside the running one, offers to switch (the worker waits until told, so nothing is cut
 * off mid-send; the outbox lives in IndexedDB either way).
 */
import { signal } from '@preact/signals';

/** A new version is installed and waiting. */
export const updateReady = signal<ServiceWorker | null>(null);

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(
      (reg) => {
        const watch = (w: ServiceWorker | null): void => {
          w?.addEventListener('statechange', () => {
            if (w.state === 'installed' && navigator.serviceWorker.controller !== null) {
              updateReady.value = w;
            }
          });
        };
        if (reg.waiting !== null && navigator.serviceWorker.controller !== null) {
          updateReady.value = reg.waiting;
        }
        reg.addEventListener('updatefound', () => watch(reg.installing));
      },
      (err: unknown) => console.warn('service worker registration failed', err),
    );
  });
}

/** Switches to the waiting version, then reloads once it controls the page. */
export function applyUpdate(): void {
  const w = updateReady.value;
  if (w === null) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), {
    once: true,
  });
  w.postMessage({ type: 'skip-waiting' });
}
