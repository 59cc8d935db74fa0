/**
 * Self-update policy, so that post-compromise security actually heals: MLS only evicts an
 * attacker who stole a device's keys once that device's leaf keys change. A device
 * therefore commits an empty commit with a fresh update path in a conversation when, since
 * its own last commit there (or since it joined),
 *   - it sent `selfUpdateAfterMessages` messages (default 100), or
 *   - `selfUpdateAfterMs` passed (default 7 days),
 * checked at every sync. Any own commit (add, remove, update) resets both counters, as it
 * also refreshes the committer's path. Documented in docs/threat-model.md.
 */
import { selfUpdate } from '../../mls/group.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { runCommit } from '../sync/commitFlow.ts';
import type { EngineContext } from '../core/context.ts';
import { allConversations } from './conversationStore.ts';
import type { ConversationRecord } from '../store/model.ts';
import { readSettings } from '../settings/settingsStore.ts';
import { hiddenByBlock, meOf } from '../settings/visibility.ts';

export function selfUpdateDue(ctx: EngineContext, c: ConversationRecord): boolean {
  return (
    c.status === 'active' &&
    (c.sentSinceOwnCommit >= ctx.tuning.selfUpdateAfterMessages ||
      ctx.clock.now() - c.lastOwnCommitAt >= ctx.tuning.selfUpdateAfterMs)
  );
}

/** Commits the self-updates that are due. Call with the engine lock held. */
export async function runDueSelfUpdates(ctx: EngineContext): Promise<number> {
  let done = 0;
  const settings = await readSettings(ctx.store);
  for (const c of await allConversations(ctx.store)) {
    if (!selfUpdateDue(ctx, c)) continue;
    // Nothing is sent in a blocked person's hidden conversation: a commit would tell them.
    if (hiddenByBlock(c, settings, meOf(ctx))) continue;
    try {
      await runCommit(ctx, c.id, async (group, conv) =>
        // A commit by us in the meantime (e.g. after a wrong_epoch) already refreshed the keys.
        selfUpdateDue(ctx, conv) ? { output: await selfUpdate(group, ctx.deps) } : null,
      );
      done++;
    } catch (err) {
      if (err instanceof FoyerError && err.code === 'network') throw err;
      ctx.events.emit({
        type: 'error',
        code: err instanceof FoyerError ? err.code : 'internal',
        message: `self-update failed: ${err instanceof Error ? err.message : String(err)}`,
        conversationId: c.id,
      });
    }
  }
  return done;
}
