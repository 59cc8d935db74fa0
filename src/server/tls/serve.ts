/**
 * HTTPS for `foyer start`: gets the certificate for the mode (`acme`: from the authority, kept
 * in DATA/tls and renewed while running; `files`: the operator's, reloaded when they change),
 * runs the plain-HTTP side (challenges and redirect), and swaps certificates into the running
 * server without a restart (`tls.Server.setSecureContext`).
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { CertStore, certInfo, renewAt, type KeyPair } from './certStore.ts';
import { currentOrNew, issueCertificate, type ChallengeTokens } from './acme.ts';
import { startHttpSide } from './httpRedirect.ts';

const MAX_TIMER_MS = 2 ** 31 - 1;
const FILE_POLL_MS = 2000;

export interface TlsRuntime {
  pair: KeyPair;
  /** One line for the start text: where the certificate comes from. */
  describe: string;
  /** The plain-HTTP port actually bound, if any. */
  httpPort: number | undefined;
  /** Starts renewals or file watching against the running HTTPS server. */
  attach(server: TlsServer): void;
  close(): Promise<void>;
}

function readPair(config: Config): KeyPair {
  if (config.tlsCert === undefined || config.tlsKey === undefined)
    throw new FoyerError('usage', 'tls "files" needs tlsCert and tlsKey (paths to PEM files)');
  try {
    const pair = {
      cert: readFileSync(config.tlsCert, 'utf8'),
      key: readFileSync(config.tlsKey, 'utf8'),
    };
    certInfo(pair.cert);
    return pair;
  } catch (err) {
    throw new FoyerError('usage', `cannot read the certificate files: ${(err as Error).message}`);
  }
}

/** Sets up HTTPS; undefined when the mode serves plain HTTP (`off`, `proxy`). */
export async function prepareTls(config: Config, log: Logger): Promise<TlsRuntime | undefined> {
  if (config.tls === 'off' || config.tls === 'proxy') return undefined;
  if (new URL(config.publicUrl).protocol !== 'https:') {
    throw new FoyerError(
      'usage',
      `tls "${config.tls}" needs an https:// public URL (e.g. --public-url https://maison.example), got ${config.publicUrl}`,
    );
  }
  const tokens: ChallengeTokens = new Map();
  const httpSide =
    config.httpPort === 0
      ? undefined
      : await startHttpSide({
          host: config.host,
          port: config.httpPort,
          publicUrl: config.publicUrl,
          tokens,
        }).catch((err: NodeJS.ErrnoException) => {
          throw new FoyerError(
            'network',
            `cannot listen on ${config.host}:${config.httpPort} for HTTP (${err.code ?? err.message}): ` +
              'port 80 needs CAP_NET_BIND_SERVICE (the systemd unit grants it) or choose --http-port',
          );
        });
  let timer: NodeJS.Timeout | undefined;
  let watching = false;
  const stopAll = async (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    if (watching && config.tlsCert !== undefined && config.tlsKey !== undefined) {
      unwatchFile(config.tlsCert);
      unwatchFile(config.tlsKey);
    }
    await httpSide?.close();
  };
  try {
    if (config.tls === 'files') {
      const pair = readPair(config);
      return {
        pair,
        describe: `HTTPS with the certificate in ${config.tlsCert} (reloaded when it changes)`,
        httpPort: httpSide?.port,
        attach(server) {
          const reload = (): void => {
            try {
              const next = readPair(config);
              server.setSecureContext(next);
              log.info(
                { notAfter: new Date(certInfo(next.cert).notAfter).toISOString() },
                'certificate reloaded',
              );
            } catch (err) {
              // A half-copied pair: keep serving the previous one; the next change retries.
              log.warn({ err }, 'certificate files changed but do not load yet');
            }
          };
          watching = true;
          watchFile(config.tlsCert!, { interval: FILE_POLL_MS, persistent: false }, reload);
          watchFile(config.tlsKey!, { interval: FILE_POLL_MS, persistent: false }, reload);
        },
        close: stopAll,
      };
    }
    const domain = new URL(config.publicUrl).hostname;
    const acmeOpts = {
      directoryUrl: config.acmeDirectory,
      domain,
      store: new CertStore(config.dataDir),
      tokens,
    };
    const { pair, issued } = await currentOrNew(acmeOpts).catch((err: unknown) => {
      throw new FoyerError(
        'network',
        `could not get a certificate for ${domain} from ${config.acmeDirectory}: ${(err as Error).message}. ` +
          `Check that ${domain} points to this home and that port 80 reaches this machine ("foyer doctor")`,
      );
    });
    const until = new Date(certInfo(pair.cert).notAfter).toISOString();
    return {
      pair,
      describe: `HTTPS with a certificate for ${domain} from ${config.acmeDirectory} (${issued ? 'issued now' : 'stored'}, valid until ${until})`,
      httpPort: httpSide?.port,
      attach(server) {
        let current = pair;
        const schedule = (): void => {
          const info = certInfo(current.cert);
          const due = Math.max(0, renewAt(info) - Date.now());
          timer = setTimeout(() => void renew(), Math.min(due, MAX_TIMER_MS));
          timer.unref();
        };
        const renew = async (): Promise<void> => {
          if (renewAt(certInfo(current.cert)) > Date.now()) return schedule(); // a long wait chunked
          try {
            current = await issueCertificate(acmeOpts);
            server.setSecureContext(current);
            log.info(
              { notAfter: new Date(certInfo(current.cert).notAfter).toISOString() },
              'certificate renewed',
            );
            schedule();
          } catch (err) {
            const left = certInfo(current.cert).notAfter - Date.now();
            const retry = Math.min(3600_000, Math.max(5000, left / 10));
            log.error({ err }, 'certificate renewal failed; retrying');
            timer = setTimeout(() => void renew(), retry);
            timer.unref();
          }
        };
        schedule();
      },
      close: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
