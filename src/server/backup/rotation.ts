/**
 * Scheduled backups: one a day into the configured folder, the newest `keep` kept. Backup
 * file names sort by time (`foyer-YYYYMMDD-HHMMSS.foyerbak`, UTC), so rotation and "how old
 * is the last backup" need no index.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_EXTENSION } from './format.ts';

const NAME_RE = /^foyer-(\d{8})-(\d{6})\.foyerbak$/;
export const DAY_MS = 24 * 3600 * 1000;

/** The file name of a scheduled backup taken at `now`. */
export function scheduledName(now: number): string {
  const iso = new Date(now).toISOString(); // 2026-11-30T13:45:12.345Z
  return `foyer-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}${BACKUP_EXTENSION}`;
}

/** Scheduled backups in `dir`, oldest first. */
export function listScheduled(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => NAME_RE.test(n)).sort();
}

/** When the newest scheduled backup was written (its mtime), or undefined. */
export function lastBackupAt(dir: string): number | undefined {
  const newest = listScheduled(dir).at(-1);
  return newest === undefined ? undefined : statSync(join(dir, newest)).mtimeMs;
}

/** Deletes all but the newest `keep` scheduled backups; returns the names deleted. */
export function rotate(dir: string, keep: number): string[] {
  const all = listScheduled(dir);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const name of old) rmSync(join(dir, name), { force: true });
  return old;
}

/** Milliseconds until the next backup is due: at once when none is younger than a day. */
export function nextDelay(last: number | undefined, now: number): number {
  if (last === undefined) return 0;
  return Math.max(0, last + DAY_MS - now);
}
