/**
 * Follow-up commits decided while processing incoming items (which never commit
 * themselves, so that a commit's wrong_epoch catch-up cannot recurse): removing the devices
 * of a member who left, and the leaves of a user's former identity key once their new key is
 * accepted (those leaves belong to another account now). Stored, so a crash does not forget
 * them.
 */
import { membersOf, removeMembers } from '../mls/group.ts';
import { equalBytes } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import { runCommit } from './commitFlow.ts';
import type { EngineContext } from './context.ts';
import { findConversation } from './conversationStore.ts';
import type { StoreTx } from './encryptedStore.ts';
import { rec } from './model.ts';

export interface Task {
  kind: 'remove_user';
  conversationId: string;
  user: string;
  domain: string;
  /** Keep the user's leaves with this identity key (their accepted new key). */
  keepIdentityKey?: Uint8Array;
}

interface TaskRecord {
  v: 1;
  tasks: Task[];
}

function same(a: Task, b: Task): boolean {
  return a.conversationId === b.conversationId && a.user === b.user && a.domain === b.domain;
}

export async function addTask(tx: StoreTx, task: Task): Promise<void> {
  const r = (await tx.getRecord<TaskRecord>(rec.tasks, 'tasks', 1)) ?? { v: 1, tasks: [] };
  if (!r.tasks.some((t) => same(t, task))) r.tasks.push(task);
  tx.putRecord(rec.tasks, r);
}

async function removeTask(ctx: EngineContext, task: Task): Promise<void> {
  const tx = ctx.store.tx();
  const r = await tx.getRecord<TaskRecord>(rec.tasks, 'tasks', 1);
  if (r === undefined) return;
  tx.putRecord(rec.tasks, { v: 1, tasks: r.tasks.filter((t) => !same(t, task)) });
  await tx.commit();
}

/**
 * Runs stored follow-up commits. Call with the engine lock held. A network failure keeps
 * the remaining tasks for later; any other failure drops the task and is reported.
 */
export async function runTasks(ctx: EngineContext): Promise<void> {
  const r = await ctx.store.getRecord<TaskRecord>(rec.tasks, 'tasks', 1);
  for (const task of r?.tasks ?? []) {
    try {
      const conv = await findConversation(ctx.store, task.conversationId);
      if (conv?.status === 'active') {
        await runCommit(ctx, task.conversationId, async (group) => {
          const keep = task.keepIdentityKey;
          const leaves = membersOf(group)
            .filter((m) => m.credential.user === task.user && m.credential.domain === task.domain)
            .filter((m) => keep === undefined || !equalBytes(m.credential.identityKey, keep))
            .map((m) => m.leaf);
          if (leaves.length === 0) return null; // someone else removed them first
          return { output: await removeMembers(group, leaves, ctx.deps) };
        });
      }
    } catch (err) {
      if (err instanceof FoyerError && err.code === 'network') return;
      ctx.events.emit({
        type: 'error',
        code: err instanceof FoyerError ? err.code : 'internal',
        message: `could not remove a member's devices: ${err instanceof Error ? err.message : String(err)}`,
        conversationId: task.conversationId,
      });
    }
    await removeTask(ctx, task);
  }
}
