/**
 * The stored job queue: follow-up commits decided while processing incoming items (which
 * never commit themselves, so that a commit's wrong_epoch catch-up cannot recurse) —
 * removing the devices of a member who left, and the leaves of a user's former identity key
 * once their new key is accepted (those leaves belong to another account now), and removing a
 * conversation another device of the user removed while this one is still in it. Stored in the
 * same write as the decision, so a crash does not forget them. Posted through the dispatcher
 * (dispatcher.ts), run by jobRunner.ts.
 */
import type { EngineContext } from '../core/context.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import { rec } from '../store/model.ts';

export type Job =
  | {
      kind: 'remove_user';
      conversationId: string;
      user: string;
      domain: string;
      /** Keep the user's leaves with this identity key (their accepted new key). */
      keepIdentityKey?: Uint8Array;
    }
  /** Leave (if still a member) and forget a conversation (settings/receive.ts). */
  | { kind: 'remove_conversation'; conversationId: string };

interface JobRecord {
  v: 1;
  tasks: Job[];
}

function same(a: Job, b: Job): boolean {
  if (a.kind !== b.kind || a.conversationId !== b.conversationId) return false;
  return (
    a.kind === 'remove_conversation' ||
    (a.user === (b as typeof a).user && a.domain === (b as typeof a).domain)
  );
}

/** Stores `task` inside `tx` (once: an equal job already queued is kept). */
export async function postJob(tx: StoreTx, task: Job): Promise<void> {
  const r = (await tx.getRecord<JobRecord>(rec.tasks, 'tasks', 1)) ?? { v: 1, tasks: [] };
  if (!r.tasks.some((t) => same(t, task))) r.tasks.push(task);
  tx.putRecord(rec.tasks, r);
}

/** The queued jobs, oldest first. */
export async function queuedJobs(ctx: EngineContext): Promise<Job[]> {
  return (await ctx.store.getRecord<JobRecord>(rec.tasks, 'tasks', 1))?.tasks ?? [];
}

/** Removes a job once run (or dropped). */
export async function removeJob(ctx: EngineContext, task: Job): Promise<void> {
  const tx = ctx.store.tx();
  const r = await tx.getRecord<JobRecord>(rec.tasks, 'tasks', 1);
  if (r === undefined) return;
  tx.putRecord(rec.tasks, { v: 1, tasks: r.tasks.filter((t) => !same(t, task)) });
  await tx.commit();
}
