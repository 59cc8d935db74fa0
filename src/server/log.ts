/**
 * Server logs: pino JSON lines on stdout. Logs never carry message content; user and
 * device identifiers only when `logIdentifiers` is on — route code passes them through
 * `redact`, which otherwise gives a short keyed hash: stable within one process run (so
 * one device's requests can be followed while debugging) but unlinkable across restarts
 * and across instances, because the key is random and never stored.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { pino, type Logger, type DestinationStream } from 'pino';
import type { Config } from './config.ts';

const processKey = randomBytes(32);

/**
 * Creates the server logger. `destination` defaults to stdout (tests pass a stream).
 */
export function createLogger(
  config: Pick<Config, 'logLevel'>,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'foyer' },
    // Secrets that could reach a log through an error object or a request.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'passphrase',
        '*.passphrase',
        'token',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * An identifier (user name, device id, group id) as it may appear in a log line: itself
 * when `config.logIdentifiers` is on, else `h:` and 12 characters of a keyed hash.
 */
export function redact(id: string, config: Pick<Config, 'logIdentifiers'>): string {
  if (config.logIdentifiers) return id;
  return `h:${createHmac('sha256', processKey).update(id).digest('base64url').slice(0, 12)}`;
}
