/**
 * System lines: what the group decided, written into the history of every member that
 * processed the decision (the voters' devices, the others, and the banned person's own, which
 * learns it was removed). Written from the policy alone, so each member writes the same
 * lines; nothing is sent for them.
 */
import { policyOf, type Group } from '../../mls/group.ts';
import { encodePolicy } from '../../governance/policyCodec.ts';
import type { Policy, Target } from '../../governance/policy.ts';
import { addressFromString } from '../../protocol/address.ts';
import { equalBytes } from '../../protocol/bytes.ts';
import { newMessageId } from '../core/ids.ts';
import type { EngineContext } from '../core/context.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import type { ConversationRecord, MessageRecord, SystemLine } from '../store/model.ts';
import { appendMessage } from './conversationStore.ts';

function targetText(t: Target): string {
  return t.deviceId === undefined ? t.identity : `${t.identity}/${t.deviceId}`;
}

function changed(before: Policy | undefined, after: Policy | undefined): after is Policy {
  if (after === undefined) return false;
  return before === undefined || !equalBytes(encodePolicy(before), encodePolicy(after));
}

/** True when a commit changed the group policy (votes included), so screens showing it reload. */
export function policyChanged(before: Group, after: Group): boolean {
  return changed(policyOf(before), policyOf(after));
}

/** The plain words of a line, for shells that do not translate it (the command line). */
function plainText(line: SystemLine): string {
  const what = line.t === 'banned' ? 'was banned' : 'was unbanned';
  return `${line.target} ${what} by the votes of ${line.voters.join(', ')}`;
}

/** The lines a commit from `before` to `after` calls for: each vote that carried. */
export function linesFor(before: Group, after: Group): SystemLine[] {
  const old = policyOf(before);
  const next = policyOf(after);
  if (!changed(old, next)) return [];
  return next.last.resolved.map((r) => ({
    t: r.kind === 'ban' ? ('banned' as const) : ('unbanned' as const),
    target: targetText(r.target),
    voters: [...r.voters],
  }));
}

/**
 * Appends the lines of a commit to the conversation's history (already read: they are not
 * news to answer). @returns the records written, for the shell's events
 */
export async function recordSystemLines(
  ctx: EngineContext,
  tx: StoreTx,
  conv: ConversationRecord,
  before: Group,
  after: Group,
): Promise<MessageRecord[]> {
  const lines = linesFor(before, after);
  if (lines.length === 0) return [];
  const now = ctx.clock.now();
  // The committer of the deciding change (the codec checked it is an address).
  const author = addressFromString(policyOf(after)?.last.by ?? '');
  const out: MessageRecord[] = [];
  for (const line of lines) {
    const m: MessageRecord = {
      v: 2,
      id: newMessageId(),
      conversationId: conv.id,
      sender: { user: author.user, domain: author.domain, deviceId: '' },
      outgoing: false,
      text: plainText(line),
      sentAt: now,
      receivedAt: now,
      state: 'read',
      reason: null,
      deliveredTo: [],
      readBy: [],
      system: line,
    };
    await appendMessage(tx, m);
    out.push(m);
  }
  conv.lastActivityAt = now;
  return out;
}
