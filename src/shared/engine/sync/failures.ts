/**
 * What went wrong during a sync, said plainly: each message that ended failed (with the
 * reason), each other outgoing item the server refused, each housekeeping step that failed,
 * and each conversation this device was removed from. Collected from the engine's events, so
 * every path that fails something (the outbox, a removal, a housekeeping step) is counted
 * the same way.
 */
import type { EngineEvent, Emitter } from '../core/events.ts';

export interface SyncFailure {
  /** The conversation concerned, when there is one. */
  conversationId: string | null;
  /** The message that ended failed, when it is one of yours. */
  messageId: string | null;
  reason: string;
}

export interface FailureReport {
  failures: SyncFailure[];
  /** Conversations this device was removed from by another member. */
  removedFrom: string[];
}

function failureOf(e: EngineEvent): SyncFailure | undefined {
  if (e.type === 'message_state' && e.state === 'failed') {
    return {
      conversationId: e.conversationId,
      messageId: e.messageId,
      reason: e.reason ?? 'unknown',
    };
  }
  if (e.type === 'error') {
    return { conversationId: e.conversationId ?? null, messageId: null, reason: e.message };
  }
  return undefined;
}

/** Runs `fn` and reports what failed while it ran. */
export async function collectFailures<T>(
  events: Emitter,
  fn: () => Promise<T>,
): Promise<{ result: T } & FailureReport> {
  const report: FailureReport = { failures: [], removedFrom: [] };
  const off = events.on((e) => {
    const f = failureOf(e);
    if (f !== undefined) report.failures.push(f);
    if (e.type === 'conversation_removed' && e.reason === 'removed')
      report.removedFrom.push(e.conversationId);
  });
  try {
    return { result: await fn(), ...report };
  } finally {
    off();
  }
}
