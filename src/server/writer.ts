/**
 * Group commit for durable writes. Jobs queued during one turn of the event loop run
 * together in ONE SQLite transaction (one fsync with `synchronous = FULL`), each inside its
 * own savepoint so a job that throws rolls back only itself. A job's promise settles only
 * after the whole transaction is on disk: an acknowledged message is a durable message.
 */
import type { Db } from './storage/sqlite.ts';
import { batchTx, type WriteTx } from './storage/tx.ts';

export interface WriterHooks {
  /**
   * Runs inside every batch's transaction, before its jobs (e.g. picking up what another
   * process committed). If it throws, the whole batch fails.
   */
  beforeJobs?: (tx: WriteTx) => void;
  /** Runs inside every batch's transaction, after its jobs (e.g. deferred acks). */
  beforeCommit?: (tx: WriteTx) => void;
  /** Runs after every committed batch, after the jobs' own callbacks (e.g. pushes). */
  afterCommit?: () => void;
  /** Runs when a whole batch failed to commit, so caches can be reloaded from disk. */
  onAbort: () => void;
}

/**
 * Most jobs in one transaction. A household at saturation fills batches of about 200; the
 * bound keeps one transaction's dirty pages and the pushes built after it bounded when many
 * writes arrive at once. The rest waits for the next batch, in order.
 */
export const MAX_BATCH_JOBS = 256;

interface Job {
  fn: (tx: WriteTx) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class Writer {
  private readonly db: Db;
  private queue: Job[] = [];
  private scheduled = false;
  private afterCommit: Array<() => void> = [];
  private readonly hooks: WriterHooks;
  /** Size of the last batches, for metrics. */
  batches = 0;
  jobs = 0;

  constructor(db: Db, hooks: WriterHooks) {
    this.db = db;
    this.hooks = hooks;
  }

  /** True while a batch is queued but not yet run. */
  get busy(): boolean {
    return this.scheduled;
  }

  /**
   * Queues `fn` for the next batch; resolves with its result once committed to disk. `fn`
   * gets the batch's write handle, which store methods that write require.
   */
  run<T>(fn: (tx: WriteTx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Registers work (e.g. pushing to sockets) for after the current batch commits. */
  onCommit(cb: () => void): void {
    this.afterCommit.push(cb);
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.queue.splice(0, MAX_BATCH_JOBS);
    if (this.queue.length > 0) {
      // Scheduled first, so the rest runs after this batch's callbacks, as their own batch.
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    const tx = batchTx();
    try {
      this.db.transaction(() => {
        this.hooks.beforeJobs?.(tx);
        for (const job of jobs) {
          try {
            outcomes.push({ ok: true, value: this.db.transaction(() => job.fn(tx))() });
          } catch (err) {
            outcomes.push({ ok: false, value: err });
          }
        }
        this.hooks.beforeCommit?.(tx);
      })();
    } catch (err) {
      this.afterCommit = [];
      this.hooks.onAbort();
      for (const job of jobs) job.reject(err);
      return;
    }
    this.batches++;
    this.jobs += jobs.length;
    const callbacks = this.afterCommit;
    this.afterCommit = [];
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.value);
    });
    for (const cb of callbacks) cb();
    this.hooks.afterCommit?.();
  }
}
