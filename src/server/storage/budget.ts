/**
 * The instance-wide storage budget: the live pages of the database (what its rows take,
 * not the free pages SQLite keeps for reuse) must stay under a configured size, and the
 * data folder's file system must keep a little free space. Checked before any message is
 * written, so a full instance refuses new messages with a clear error instead of filling
 * the disk of the machine (often a Raspberry Pi's SD card) it shares with everything else.
 */
import { statfsSync } from 'node:fs';
import type { Db } from './sqlite.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';

/** Free space the file system must keep, whatever the budget. */
export const MIN_FREE_DISK_BYTES = 128 * 1024 * 1024;
/** How long one measurement is trusted; writes since then are added to it. */
const REFRESH_MS = 500;

export interface BudgetOptions {
  /** Most bytes the database's live pages may take. */
  limitBytes: number;
  /** Folder whose file system must keep MIN_FREE_DISK_BYTES free (the data folder). */
  dir?: string | undefined;
  now?: () => number;
}

export class StorageBudget {
  private readonly db: Db;
  private readonly opts: BudgetOptions;
  private measuredAt = -Infinity;
  private used = 0;
  private free = Infinity;
  /** Bytes written since the last measurement. */
  private since = 0;

  constructor(db: Db, opts: BudgetOptions) {
    this.db = db;
    this.opts = opts;
  }

  /** Bytes the database's live pages take, as last measured. */
  usedBytes(): number {
    this.refresh();
    return this.used + this.since;
  }

  /**
   * Checks that `size` more bytes fit, and counts them.
   * @throws FoyerError storage_full
   */
  take(size: number): void {
    this.refresh();
    if (
      this.used + this.since + size > this.opts.limitBytes ||
      this.free - size < MIN_FREE_DISK_BYTES
    ) {
      throw new FoyerError(
        'storage_full',
        'this Foyer instance has reached its storage budget; new messages are refused until space is freed',
      );
    }
    this.since += size;
  }

  private refresh(): void {
    const now = (this.opts.now ?? Date.now)();
    if (now - this.measuredAt < REFRESH_MS) return;
    this.measuredAt = now;
    this.since = 0;
    const pages =
      (this.db.pragma('page_count', { simple: true }) as number) -
      (this.db.pragma('freelist_count', { simple: true }) as number);
    this.used = pages * (this.db.pragma('page_size', { simple: true }) as number);
    if (this.opts.dir !== undefined) {
      const fs = statfsSync(this.opts.dir);
      this.free = fs.bavail * fs.bsize;
    }
  }
}
