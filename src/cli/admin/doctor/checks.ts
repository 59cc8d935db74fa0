/**
 * The checks of `foyer doctor`. Each says what it found in plain words and, when something is
 * wrong, what to do. None changes anything.
 */
import { statfsSync } from 'node:fs';
import type { Config } from '../../../server/config.ts';
import type { DataLayout } from '../../../server/storage/layout.ts';
import type { Db } from '../../../server/storage/sqlite.ts';
import type { RunState } from '../../../server/home/runState.ts';
import { lastBackupAt } from '../../../server/backup/rotation.ts';
import { quickCheck } from '../../../server/storage/maintenance.ts';

export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  /** What was found. */
  detail: string;
  /** What to do (absent when all is well). */
  advice?: string;
}

const MiB = 1024 * 1024;
const HOUR = 3600_000;

export function checkDatabase(db: Db): Check {
  const result = quickCheck(db);
  return result === 'ok'
    ? {
        name: 'database',
        status: 'ok',
        detail: 'the encrypted database opens and its structure is sound',
      }
    : {
        name: 'database',
        status: 'fail',
        detail: `the database structure check failed: ${String(result)}`,
        advice: 'stop the server and restore the latest backup into a new folder (foyer restore)',
      };
}

export function checkDisk(layout: DataLayout): Check {
  const s = statfsSync(layout.dir);
  const free = s.bavail * s.bsize;
  const text = `${Math.round(free / MiB)} MiB free on the data folder's disk`;
  if (free < 128 * MiB)
    return {
      name: 'disk',
      status: 'fail',
      detail: text,
      advice: 'free some space now: Foyer refuses new messages below 128 MiB',
    };
  if (free < 1024 * MiB)
    return {
      name: 'disk',
      status: 'warn',
      detail: text,
      advice: 'free some space, or use a larger card or disk',
    };
  return { name: 'disk', status: 'ok', detail: text };
}

export function checkBackups(config: Config, now = Date.now()): Check {
  if (config.backupDir === undefined)
    return {
      name: 'backups',
      status: 'warn',
      detail: 'no daily backup is configured',
      advice:
        'run "foyer setup" and give a backup folder (another disk), or run "foyer backup" yourself',
    };
  const last = lastBackupAt(config.backupDir);
  if (last === undefined)
    return {
      name: 'backups',
      status: 'warn',
      detail: `no backup in ${config.backupDir} yet`,
      advice:
        'the running server writes one at start and then daily: check that it runs and can write there',
    };
  const hours = Math.round((now - last) / HOUR);
  if (hours > 36)
    return {
      name: 'backups',
      status: 'warn',
      detail: `the last backup in ${config.backupDir} is ${hours} hours old`,
      advice: 'check that the server runs and the backup folder is mounted and writable',
    };
  return {
    name: 'backups',
    status: 'ok',
    detail: `last backup ${hours} hours ago in ${config.backupDir}`,
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '[::1]';
}

export function checkReach(config: Config): Check[] {
  const out: Check[] = [];
  const url = new URL(config.publicUrl);
  if (isLoopback(config.host) && !isLoopback(url.hostname))
    out.push({
      name: 'listen address',
      status: 'fail',
      detail: `the server listens on ${config.host} only, but people are sent to ${config.publicUrl}`,
      advice:
        'listen on 0.0.0.0 (foyer setup --host 0.0.0.0), or put a reverse proxy on this machine in front',
    });
  else
    out.push({
      name: 'listen address',
      status: 'ok',
      detail: isLoopback(config.host)
        ? `listens on ${config.host}: this machine only (fine for tests or behind a local proxy)`
        : `listens on ${config.host}: reachable from the home network`,
    });
  if (url.protocol === 'http:' && !isLoopback(url.hostname))
    out.push({
      name: 'https',
      status: 'warn',
      detail: `the public URL ${config.publicUrl} is plain http`,
      advice:
        'browsers allow the web app only over HTTPS away from localhost: see docs/install.md "HTTPS"',
    });
  return out;
}

async function get(url: string): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(3000), redirect: 'manual' });
}

/** The running server, its public address, and the clock against the server's answer. */
export async function checkServer(config: Config, state: RunState): Promise<Check[]> {
  if (!state.running)
    return [
      {
        name: 'server',
        status: 'warn',
        detail: 'no server is running on this data folder',
        advice: 'start it: "foyer start", or "sudo systemctl start foyer" for the service',
      },
    ];
  const out: Check[] = [];
  const since =
    state.startedAt === undefined ? '' : ` since ${new Date(state.startedAt).toISOString()}`;
  try {
    const health = await get(`${state.url ?? config.publicUrl}/healthz`);
    out.push(
      health.status === 200
        ? { name: 'server', status: 'ok', detail: `running on ${state.url}${since}, healthy` }
        : {
            name: 'server',
            status: 'fail',
            detail: `running on ${state.url}${since}, but /healthz answers ${health.status}`,
            advice: 'look at its log (journalctl -u foyer): the database may be unavailable',
          },
    );
  } catch (err) {
    out.push({
      name: 'server',
      status: 'fail',
      detail: `holds the data folder but does not answer on ${state.url} (${(err as Error).message})`,
      advice: 'restart it; if it stays stuck, look at its log',
    });
  }
  try {
    const res = await get(`${config.publicUrl}/.well-known/foyer`);
    const body = res.status === 200 ? ((await res.json()) as { domain?: unknown }) : undefined;
    if (body?.domain === config.domain)
      out.push({
        name: 'public address',
        status: 'ok',
        detail: `${config.publicUrl} answers as ${config.domain}`,
      });
    else
      out.push({
        name: 'public address',
        status: 'fail',
        detail: `${config.publicUrl}/.well-known/foyer answers ${res.status}${body === undefined ? '' : ` for another domain`}`,
        advice: 'check the public URL (foyer setup), the router port mapping and any reverse proxy',
      });
    const date = res.headers.get('date');
    if (date !== null) {
      const skew = Math.abs(Date.parse(date) - Date.now()) / 1000;
      out.push(
        skew > 60
          ? {
              name: 'clock',
              status: 'warn',
              detail: `this machine's clock is ${Math.round(skew)} s away from the server's`,
              advice: 'enable time synchronisation (timedatectl set-ntp true)',
            }
          : {
              name: 'clock',
              status: 'ok',
              detail: 'the clock agrees with the server within a minute',
            },
      );
    }
  } catch (err) {
    out.push({
      name: 'public address',
      status: 'fail',
      detail: `${config.publicUrl} does not answer from here (${(err as Error).message})`,
      advice:
        'check the public URL (foyer setup), the name in DNS, the router port mapping and any reverse proxy',
    });
  }
  return out;
}
