/**
 * Renewal while running, shared by the `acme` and `local` modes: once two thirds of the
 * certificate's lifetime have passed, ask for a new one and swap it into the running server
 * (`tls.Server.setSecureContext`: open connections keep theirs). A failure keeps the current
 * certificate and retries sooner and sooner as its end nears.
 */
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { certInfo, renewAt, type KeyPair } from './certStore.ts';

/** setTimeout's longest delay: longer waits are chunked. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Starts renewing `first` on `server` with `issue`; returns the stop function. */
export function keepRenewed(
  server: TlsServer,
  first: KeyPair,
  issue: () => Promise<KeyPair>,
  log: Logger,
): () => void {
  let current = first;
  let timer: NodeJS.Timeout | undefined;
  const later = (ms: number): void => {
    timer = setTimeout(() => void renew(), Math.min(ms, MAX_TIMER_MS));
    timer.unref();
  };
  const renew = async (): Promise<void> => {
    const due = renewAt(certInfo(current.cert)) - Date.now();
    if (due > 0) return later(due); // a long wait, chunked
    try {
      current = await issue();
      server.setSecureContext(current);
      log.info(
        { notAfter: new Date(certInfo(current.cert).notAfter).toISOString() },
        'certificate renewed',
      );
      later(renewAt(certInfo(current.cert)) - Date.now());
    } catch (err) {
      const left = certInfo(current.cert).notAfter - Date.now();
      log.error({ err }, 'certificate renewal failed; retrying');
      later(Math.min(3600_000, Math.max(5000, left / 10)));
    }
  };
  later(Math.max(0, renewAt(certInfo(current.cert)) - Date.now()));
  return () => clearTimeout(timer);
}
