/**
 * What a running engine does on its own: live delivery through the push socket (polling
 * while it is down), retrying the outbox when its backoff expires, and an hourly sync for
 * housekeeping (self-updates, key packages, device changes), and fresh key packages as soon as
 * the server says others claimed most of them.
 */
import { FoyerError } from '../../protocol/errors.ts';
import type { EngineContext } from '../core/context.ts';
import { processItemsLocked, readCursor } from './incoming.ts';
import { ensureKeyPackages } from '../devices/keyPackageStock.ts';
import { PushChannel, type SocketFactory } from '../transport/push.ts';

const MAINTENANCE_MS = 3600_000;

/** The part of the engine the background loop calls back into. */
export interface Syncable {
  sync(): Promise<unknown>;
}

export class Background {
  private readonly ctx: EngineContext;
  private readonly engine: Syncable;
  private readonly socketFactory: SocketFactory | undefined;
  private push: PushChannel | undefined;
  private abort: AbortController | undefined;
  private wake: AbortController | undefined;
  private nextFlushAt: number | undefined;
  private loop: Promise<void> | undefined;

  constructor(ctx: EngineContext, engine: Syncable, socketFactory: SocketFactory | undefined) {
    this.ctx = ctx;
    this.engine = engine;
    this.socketFactory = socketFactory;
  }

  start(): void {
    if (this.loop !== undefined) return;
    const ctx = this.ctx;
    this.abort = new AbortController();
    this.push = new PushChannel(
      ctx.transport,
      ctx.clock,
      {
        onItems: (items) =>
          ctx.lock.run(async () => {
            const cursor = await processItemsLocked(ctx, items);
            if (items.some((i) => i.kind === 'welcome'))
              await this.report(() => ensureKeyPackages(ctx));
            this.outboxChanged((await ctx.dispatch.afterIncoming()).nextAttemptAt);
            return cursor;
          }),
        onPoll: async () => {
          await this.engine.sync();
        },
        cursor: () => readCursor(ctx),
        onState: (state) => ctx.events.emit({ type: 'connection', state }),
        onError: (err) => this.emitError(err),
        // Tops up to the target; a repeated notice finds the stock full and uploads nothing.
        onKeyPackagesLow: () => ctx.lock.run(() => ensureKeyPackages(ctx)).then(() => undefined),
      },
      {
        pollIntervalMs: ctx.tuning.pollIntervalMs,
        reconnectMaxMs: ctx.tuning.reconnectMaxMs,
        ...(this.socketFactory === undefined ? {} : { socketFactory: this.socketFactory }),
      },
    );
    this.push.start();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort(new FoyerError('network', 'stopped'));
    this.wake?.abort();
    await this.push?.stop();
    await this.loop;
    this.loop = undefined;
    this.push = undefined;
  }

  /** Tells the scheduler when the outbox next needs a try (undefined: nothing waits). */
  outboxChanged(nextAttemptAt: number | undefined): void {
    this.nextFlushAt = nextAttemptAt;
    this.wake?.abort();
  }

  private async run(signal: AbortSignal): Promise<void> {
    let maintenanceAt = this.ctx.clock.now() + MAINTENANCE_MS;
    while (!signal.aborted) {
      const wakeAt = Math.min(maintenanceAt, this.nextFlushAt ?? Infinity);
      this.wake = new AbortController();
      const both = AbortSignal.any([signal, this.wake.signal]);
      try {
        await this.ctx.clock.sleep(Math.max(0, wakeAt - this.ctx.clock.now()), both);
      } catch (err) {
        if (!both.aborted) throw err;
        continue; // woken early: recompute the next wake-up (or stop)
      }
      const now = this.ctx.clock.now();
      if (now >= maintenanceAt) {
        maintenanceAt = now + MAINTENANCE_MS;
        await this.report(() => this.engine.sync());
      } else if (this.nextFlushAt !== undefined && now >= this.nextFlushAt) {
        this.nextFlushAt = undefined;
        await this.report(async () => {
          const r = await this.ctx.lock.run(() => this.ctx.dispatch.flushOutbox());
          this.nextFlushAt = r.nextAttemptAt;
        });
      }
    }
  }

  private async report(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.emitError(err);
    }
  }

  private emitError(err: unknown): void {
    this.ctx.events.emit({
      type: 'error',
      code: err instanceof FoyerError ? err.code : 'internal',
      message: err instanceof Error ? err.message : String(err),
    });
  }
}
