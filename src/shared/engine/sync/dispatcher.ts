/**
 * The one place follow-up work goes, so the pipeline reads in one direction:
 *
 *   transport → incoming → (application, held) ─┐
 *   outbox ─────────────────────────────────────┼→ dispatcher → jobs, commit flow, outbox
 *   commit flow ────────────────────────────────┘
 *
 * Incoming, the outbox and the commit flow never import each other to ask for more work:
 * they post a stored job (`post`, in the same write as the decision that calls for it) or ask
 * for a catch-up (`catchUp`, after a hub answered `wrong_epoch`: the winning commit waits in
 * the mailbox). The engine wires the handlers once, when it is built (engine.ts); the modules
 * that post depend only on this file's types, so no import cycle can form through it.
 * Every method is called with the engine lock held.
 */
import type { FlushResult } from '../outbox/outbox.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import { postJob, type Job } from './jobs.ts';

/** What the dispatcher runs: wired once by the engine. */
export interface FollowUpHandlers {
  /** Fetches and processes what waits in the mailbox. @returns items processed */
  catchUp(): Promise<number>;
  /** Runs the stored jobs (follow-up commits). */
  runJobs(): Promise<void>;
  /** Sends what the outbox holds that is due (`force`: all of it). */
  flushOutbox(force: boolean): Promise<FlushResult>;
}

export class Dispatcher {
  private handlers: FollowUpHandlers | undefined;

  /** Connects the handlers (once). @throws Error when already wired */
  wire(handlers: FollowUpHandlers): void {
    if (this.handlers !== undefined) throw new Error('the dispatcher is already wired');
    this.handlers = handlers;
  }

  /** Queues a follow-up job inside `tx`: it runs at the next `runJobs`, even after a crash. */
  post(tx: StoreTx, job: Job): Promise<void> {
    return postJob(tx, job);
  }

  catchUp(): Promise<number> {
    return this.wired().catchUp();
  }

  runJobs(): Promise<void> {
    return this.wired().runJobs();
  }

  flushOutbox(force = false): Promise<FlushResult> {
    return this.wired().flushOutbox(force);
  }

  /** What follows newly processed items: their jobs, then the outbox (receipts, waiting texts). */
  async afterIncoming(): Promise<FlushResult> {
    await this.runJobs();
    return this.flushOutbox();
  }

  private wired(): FollowUpHandlers {
    if (this.handlers === undefined) throw new Error('the dispatcher is not wired yet');
    return this.handlers;
  }
}
