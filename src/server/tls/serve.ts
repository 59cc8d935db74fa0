/**
 * HTTPS for `foyer start`: gets the certificate for the mode (`acme`: from the authority, kept
 * in DATA/tls and renewed while running; `files`: the operator's, reloaded when they change;
 * `local`: from Foyer's own authority, renewed while running),
 * runs the plain-HTTP side (challenges and redirect), and swaps certificates into the running
 * server without a restart (`tls.Server.setSecureContext`).
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Db } from '../storage/sqlite.ts';
import { CertStore, certInfo, type KeyPair } from './certStore.ts';
import { currentOrNew, issueCertificate, type ChallengeTokens } from './acme.ts';
import { keepRenewed } from './renewal.ts';
import { prepareLocal } from './localMode.ts';
import { CA_PATHS } from './caPage.ts';
import { startHttpSide } from './httpRedirect.ts';

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

/** The download page's address on the plain-HTTP side. */
export function caPageUrl(config: Config, httpPort: number): string {
  const url = new URL(config.publicUrl);
  url.protocol = 'http:';
  url.port = httpPort === 80 ? '' : String(httpPort);
  return `${url.origin}${CA_PATHS.page}`;
}

/**
 * Sets up HTTPS; undefined when the mode serves plain HTTP (`off`, `proxy`). `db` holds the
 * local certificate authority (`local` mode).
 */
export async function prepareTls(
  config: Config,
  log: Logger,
  db: Db,
): Promise<TlsRuntime | undefined> {
  if (config.tls === 'off' || config.tls === 'proxy') return undefined;
  if (new URL(config.publicUrl).protocol !== 'https:') {
    throw new FoyerError(
      'usage',
      `tls "${config.tls}" needs an https:// public URL (e.g. --public-url https://maison.example), got ${config.publicUrl}`,
    );
  }
  const tokens: ChallengeTokens = new Map();
  // Before the HTTP side: in `local` mode it serves the authority's download page.
  const local = config.tls === 'local' ? await prepareLocal(config, db) : undefined;
  const httpSide =
    config.httpPort === 0
      ? undefined
      : await startHttpSide({
          host: config.host,
          port: config.httpPort,
          publicUrl: config.publicUrl,
          tokens,
          authority: local?.download,
        }).catch((err: NodeJS.ErrnoException) => {
          throw new FoyerError(
            'network',
            `cannot listen on ${config.host}:${config.httpPort} for HTTP (${err.code ?? err.message}): ` +
              'port 80 needs CAP_NET_BIND_SERVICE (the systemd unit grants it) or choose --http-port',
          );
        });
  let stopRenewal: (() => void) | undefined;
  let watching = false;
  const stopAll = async (): Promise<void> => {
    stopRenewal?.();
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
    if (local !== undefined) {
      const via =
        httpSide === undefined
          ? ''
          : `; devices install it from ${caPageUrl(config, httpSide.port)}`;
      return {
        pair: local.pair,
        describe:
          `HTTPS with Foyer's local certificate authority (${local.created ? 'created now' : 'stored'}) ` +
          `for ${local.names.join(', ')}\nAuthority SHA-256 fingerprint: ${local.download.fingerprint}${via}`,
        httpPort: httpSide?.port,
        attach(server) {
          stopRenewal = keepRenewed(server, local.pair, local.issue, log);
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
        stopRenewal = keepRenewed(server, pair, () => issueCertificate(acmeOpts), log);
      },
      close: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
