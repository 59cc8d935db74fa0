/**
 * When the outbox tries an entry again, and when it gives up. Pure functions of the stored
 * entry and the clock, so the schedule holds across processes: the next attempt time is
 * stored with the entry, and a new process (a CLI run, a reloaded page) honours it instead
 * of retrying at once. A transient failure never ends a message by itself: only its age
 * does (`maxSendAgeMs`, days), so an outage of any length shorter than that loses nothing.
 */
import { backoffDelay } from '../core/clock.ts';

/** The part of the tuning the schedule reads. */
export interface OutboxSchedule {
  /** Backoff: first delay and ceiling. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A message still unsent this long after it was written ends as failed. */
  maxSendAgeMs: number;
}

/** The scheduling fields of an outbox entry. */
export interface Scheduled {
  createdAt: number;
  /** Transient failures so far. */
  attempts: number;
  /** Not to be tried before this time (0: at once). */
  nextAttemptAt: number;
}

/** Whether `entry` may be tried at `now` (`force`: a person asked to try now). */
export function isDue(entry: Scheduled, now: number, force: boolean): boolean {
  return force || entry.nextAttemptAt <= now;
}

export type AfterFailure =
  { kind: 'retry'; attempts: number; nextAttemptAt: number } | { kind: 'expire'; reason: string };

/**
 * What follows a transient failure at `now`: another attempt after the backoff, or the end
 * when the entry outlived `maxSendAgeMs`.
 */
export function afterTransientFailure(
  entry: Scheduled,
  now: number,
  s: OutboxSchedule,
  reason: string,
): AfterFailure {
  const attempts = entry.attempts + 1;
  if (now - entry.createdAt >= s.maxSendAgeMs) {
    const hours = Math.round((now - entry.createdAt) / 3600_000);
    return {
      kind: 'expire',
      reason: `not sent after ${hours} h and ${attempts} attempts: ${reason}`,
    };
  }
  return {
    kind: 'retry',
    attempts,
    nextAttemptAt: now + backoffDelay(attempts - 1, s.retryBaseMs, s.retryMaxMs),
  };
}
