/**
 * `foyer doctor`'s certificate checks: the certificate on disk for the mode (`files`, `acme`),
 * the local authority (`local`), and the one the running server actually serves, each for
 * validity, expiry within a few days, and the host name people use.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { Config } from '../../../server/config.ts';
import type { Db } from '../../../server/storage/sqlite.ts';
import type { RunState } from '../../../server/home/runState.ts';
import { storedAuthority } from '../../../server/tls/store.ts';
import type { Check } from './checks.ts';

const DAY_MS = 24 * 3600 * 1000;
/** Warn this many days before a certificate ends, by default. */
export const WARN_DAYS = 14;

/** What to do about a bad certificate, by where it comes from. */
const ADVICE: Record<string, string> = {
  files:
    'renew it (e.g. "certbot renew") and copy the new files to tlsCert and tlsKey: Foyer reloads them within seconds',
  acme: 'Foyer renews it by itself while it runs: check that the server runs, that port 80 reaches it, and its log for "certificate renewal failed"',
  local: 'restart Foyer: it issues a new certificate from its authority at every start',
  proxy:
    "renew the reverse proxy's certificate (Caddy and certbot do it by themselves when they run)",
};

/**
 * Checks one PEM certificate (the first of a chain): in force, not ending within `warnDays`,
 * and covering `host` (a name or an address).
 */
export function checkCertificate(
  name: string,
  pem: string,
  host: string,
  opts: { mode: string; now?: number; warnDays?: number },
): Check {
  const now = opts.now ?? Date.now();
  const warnDays = opts.warnDays ?? WARN_DAYS;
  const advice = ADVICE[opts.mode] ?? ADVICE.files!;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    return {
      name,
      status: 'fail',
      detail: `not a readable certificate (${(err as Error).message})`,
      advice,
    };
  }
  const notAfter = Date.parse(cert.validTo);
  const notBefore = Date.parse(cert.validFrom);
  const until = new Date(notAfter).toISOString().slice(0, 10);
  if (notAfter <= now)
    return { name, status: 'fail', detail: `expired on ${until}: browsers refuse it`, advice };
  if (notBefore > now)
    return {
      name,
      status: 'fail',
      detail: `valid only from ${new Date(notBefore).toISOString()}: this machine's clock may be wrong`,
      advice: 'enable time synchronisation (timedatectl set-ntp true), then check again',
    };
  const bare = host.replace(/^\[|\]$/g, '');
  const covers =
    isIP(bare) === 0 ? cert.checkHost(bare) !== undefined : cert.checkIP(bare) !== undefined;
  if (!covers)
    return {
      name,
      status: 'fail',
      detail: `does not cover ${bare} (it covers ${cert.subjectAltName ?? 'no name'}): browsers refuse it`,
      advice:
        opts.mode === 'local'
          ? 'add the name to tlsNames (foyer setup) and restart Foyer'
          : `get a certificate for ${bare}, or correct the public URL (foyer setup)`,
    };
  const days = Math.floor((notAfter - now) / DAY_MS);
  if (days < warnDays)
    return { name, status: 'warn', detail: `ends in ${days} days (${until})`, advice };
  return { name, status: 'ok', detail: `valid for ${bare} until ${until}` };
}

/** The local authority: only its dates matter (it names no host); a year's notice. */
export function checkAuthority(pem: string, now = Date.now()): Check {
  const ca = new X509Certificate(pem);
  const end = Date.parse(ca.validTo);
  const detail = `SHA-256 fingerprint ${ca.fingerprint256}, valid until ${new Date(end).toISOString().slice(0, 10)}`;
  if (end <= now)
    return {
      name: 'local authority',
      status: 'fail',
      detail: `expired: ${detail}`,
      advice:
        'devices refuse Foyer: restore a backup with a valid authority, or start over with a new one',
    };
  if (end - now < 365 * DAY_MS)
    return {
      name: 'local authority',
      status: 'warn',
      detail: `ends within a year: ${detail}`,
      advice: 'plan a new authority and its installation on every device before then',
    };
  return { name: 'local authority', status: 'ok', detail };
}

/** The certificate a TLS server presents for `servername`, and whether `ca` (if given) trusts it. */
async function servedCertificate(
  url: string,
  servername: string,
  ca: string | undefined,
): Promise<{ pem: string; trusted: boolean }> {
  const u = new URL(url);
  const socket = connect({
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port === '' ? 443 : u.port),
    ...(isIP(servername) === 0 ? { servername } : {}),
    ...(ca === undefined ? {} : { ca }),
    rejectUnauthorized: false,
  });
  try {
    await Promise.race([
      once(socket, 'secureConnect'),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no answer in 3 s')), 3000).unref(),
      ),
    ]);
    const peer = socket.getPeerX509Certificate();
    if (peer === undefined) throw new Error('no certificate presented');
    return { pem: peer.toString(), trusted: socket.authorized };
  } finally {
    socket.destroy();
  }
}

/** Every certificate check for the configured mode; none when Foyer serves plain HTTP itself and the public URL is http. */
export async function checkCertificates(
  config: Config,
  db: Db | undefined,
  state: RunState,
  warnDays = WARN_DAYS,
): Promise<Check[]> {
  const host = new URL(config.publicUrl).hostname;
  const mode = config.tls;
  const out: Check[] = [];
  const opts = { mode, warnDays };
  if (mode === 'files' && config.tlsCert !== undefined) {
    let pem = '';
    try {
      pem = readFileSync(config.tlsCert, 'utf8');
    } catch (err) {
      out.push({
        name: 'certificate',
        status: 'fail',
        detail: `cannot read ${config.tlsCert} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        advice: "check the tlsCert path (foyer setup) and that Foyer's user may read it",
      });
    }
    if (pem !== '') out.push(checkCertificate(`certificate ${config.tlsCert}`, pem, host, opts));
  }
  if (mode === 'acme') {
    const file = join(config.dataDir, 'tls', 'cert.pem');
    out.push(
      existsSync(file)
        ? checkCertificate('certificate', readFileSync(file, 'utf8'), host, opts)
        : {
            name: 'certificate',
            status: 'warn',
            detail: 'no certificate obtained yet',
            advice:
              'start Foyer: it asks the certificate authority at its first start (port 80 must reach it)',
          },
    );
  }
  let authority: string | undefined;
  if (mode === 'local' && db !== undefined) {
    authority = storedAuthority(db)?.certPem;
    if (authority === undefined)
      out.push({
        name: 'local authority',
        status: 'warn',
        detail: 'not created yet',
        advice: 'start Foyer: it creates its certificate authority at the first start in this mode',
      });
    else out.push(checkAuthority(authority));
  }
  const url = new URL(config.publicUrl);
  if (
    state.running &&
    state.url !== undefined &&
    (mode === 'acme' || mode === 'files' || mode === 'local')
  ) {
    try {
      const served = await servedCertificate(state.url, host, authority);
      out.push(checkCertificate('served certificate', served.pem, host, opts));
      if (authority !== undefined && !served.trusted)
        out.push({
          name: 'served certificate',
          status: 'fail',
          detail: 'does not come from the local authority the household devices installed',
          advice: 'restart Foyer; if it persists, another program may answer on this port',
        });
    } catch (err) {
      out.push({
        name: 'served certificate',
        status: 'fail',
        detail: `no TLS answer on ${state.url} (${(err as Error).message})`,
        advice: 'restart Foyer and look at its log',
      });
    }
  } else if (mode === 'proxy' && url.protocol === 'https:' && state.running) {
    try {
      const served = await servedCertificate(config.publicUrl, host, undefined);
      out.push(checkCertificate('proxy certificate', served.pem, host, opts));
    } catch (err) {
      out.push({
        name: 'proxy certificate',
        status: 'fail',
        detail: `${config.publicUrl} gives no TLS answer from here (${(err as Error).message})`,
        advice: 'check that the reverse proxy runs and serves HTTPS for the public URL',
      });
    }
  }
  return out;
}
