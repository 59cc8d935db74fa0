/** Runs the stored follow-up commits (jobs.ts) through the commit flow. */
import { removeConversation } from '../conversations/membership.ts';
import { membersOf, removeMembers } from '../../mls/group.ts';
import { equalBytes } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { EngineContext } from '../core/context.ts';
import { findConversation } from '../conversations/conversationStore.ts';
import { runCommit } from './commitFlow.ts';
import { queuedJobs, removeJob } from './jobs.ts';

/**
 * Runs stored follow-up commits. Call with the engine lock held. A network failure keeps
 * the remaining tasks for later; any other failure drops the task and is reported.
 */
export async function runJobs(ctx: EngineContext): Promise<void> {
  for (const task of await queuedJobs(ctx)) {
    try {
      const conv = await findConversation(ctx.store, task.conversationId);
      if (task.kind === 'remove_conversation') {
        if (conv !== undefined) await removeConversation(ctx, task.conversationId);
      } else if (conv?.status === 'active') {
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
        message: `could not ${task.kind === 'remove_user' ? "remove a member's devices" : 'remove a conversation'}: ${err instanceof Error ? err.message : String(err)}`,
        conversationId: task.conversationId,
      });
    }
    await removeJob(ctx, task);
  }
}
