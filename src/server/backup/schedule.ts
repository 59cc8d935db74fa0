/**
 * The server's daily backup: due at start when no backup is younger than a day, then every
 * day. It runs on the server's own connection (VACUUM INTO: a read, so writes continue), and a
 * failure is logged and retried the next day rather than stopping the server.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../storage/sqlite.ts';
import type { DataLayout } from '../storage/layout.ts';
import { writeBackup } from './snapshot.ts';
import { DAY_MS, lastBackupAt, nextDelay, rotate, scheduledName } from './rotation.ts';

export interface BackupSchedule {
  stop(): void;
}

/** Takes one scheduled backup and rotates; returns the path written. */
export function runScheduledBackup(
  db: Db,
  layout: DataLayout,
  dir: string,
  keep: number,
  now = Date.now(),
): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const out = join(dir, scheduledName(now));
  writeBackup({ db, layout, out, now });
  rotate(dir, keep);
  return out;
}

/** Starts the daily timer (unref'd: it never keeps the process alive). */
export function scheduleBackups(opts: {
  db: Db;
  layout: DataLayout;
  dir: string;
  keep: number;
  log: Logger;
}): BackupSchedule {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (delay: number): void => {
    if (stopped) return;
    timer = setTimeout(tick, delay);
    timer.unref();
  };
  const tick = (): void => {
    try {
      runScheduledBackup(opts.db, opts.layout, opts.dir, opts.keep);
      opts.log.info('scheduled backup written');
    } catch (err) {
      opts.log.error({ err }, 'scheduled backup failed; next try in a day');
    }
    arm(DAY_MS);
  };
  arm(nextDelay(lastBackupAt(opts.dir), Date.now()));
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
