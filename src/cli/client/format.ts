/** Human-readable output of the client commands (JSON output is the views as they are). */
import type { ConversationView, MessageView } from '../../shared/engine/index.ts';
import type { DeviceView, GovernanceView, SyncResult } from '../../shared/engine/index.ts';

export function conversationLine(c: ConversationView): string {
  const name = c.kind === 'direct' ? `with ${c.peer ?? '?'}` : (c.title ?? '(untitled group)');
  const flags = [
    c.status === 'active' ? '' : c.status,
    c.conflict === undefined ? '' : 'IN CONFLICT',
    c.unread > 0 ? `${c.unread} unread` : '',
  ]
    .filter((f) => f !== '')
    .join(', ');
  const line = `${c.id}  ${c.kind.padEnd(6)}  ${name}  [${c.members.join(', ')}]${flags ? `  (${flags})` : ''}`;
  const conflict = conflictSentence(c);
  return conflict === undefined ? line : `${line}\n  ${conflict}`;
}

/**
 * What a conversation in conflict means for its user, in one sentence (docs/groups.md,
 * "Validating commits"); undefined when it is not in conflict.
 */
export function conflictSentence(
  c: Pick<ConversationView, 'conflict' | 'conflictRule'>,
): string | undefined {
  if (c.conflict === undefined) return undefined;
  const why = c.conflict.replace(/^refused by the group policy: /, '');
  return (
    `In conflict: this device refused a change to the group that its rules forbid (${why}` +
    `${c.conflictRule === undefined ? '' : `, rule ${c.conflictRule}`}). It keeps the state ` +
    'the other members agreed on, and messages still go to the members listed here; the ' +
    'conflict ends with the next valid change to the group. If it stays, the server may be ' +
    'misbehaving: tell its administrator, or leave the conversation.'
  );
}

/**
 * Members with their roles, the bans, pending votes and the last policy change; first the
 * conflict, when the conversation `c` is in one.
 */
export function governanceReport(
  g: GovernanceView,
  c: Pick<ConversationView, 'conflict' | 'conflictRule'> = {},
): string {
  const conflict = conflictSentence(c);
  const report = membersReport(g);
  return conflict === undefined ? report : `${conflict}\n${report}`;
}

function membersReport(g: GovernanceView): string {
  if (!g.governed) return 'This conversation has no group policy (created before governance).';
  const lines = g.members.map(
    (m) =>
      `${m.address}  ${m.role}${m.state === 'invited' ? ' (invited)' : ''}` +
      `${m.leaving ? ' (leaving)' : ''}  ${m.devices.length} device(s)`,
  );
  lines.push(`Adding members: ${g.addMembers}; editing the profile: ${g.editProfile}.`);
  for (const b of [...g.bannedIdentities, ...g.bannedDevices]) lines.push(`Banned: ${b}`);
  for (const v of g.votes) lines.push(`Vote: ${v.voter} votes to ${v.kind} ${v.target}`);
  for (const r of g.last?.resolved ?? []) {
    lines.push(
      `${r.kind === 'ban' ? 'Banned' : 'Unbanned'} ${r.target} by the votes of ${r.voters.join(', ')}`,
    );
  }
  return lines.join('\n');
}

export function messageLine(m: MessageView): string {
  const when = new Date(m.sentAt).toISOString().replace('T', ' ').slice(0, 19);
  const state = m.outgoing ? `  (${m.state}${m.reason ? `: ${m.reason}` : ''})` : '';
  return `[${when}] ${m.outgoing ? 'me' : m.sender}: ${m.text}${state}`;
}

export function deviceLine(d: DeviceView): string {
  const seen =
    d.lastSeenAt === null ? 'never seen' : `last seen ${new Date(d.lastSeenAt).toISOString()}`;
  return `${d.id}${d.current ? '  (this device)' : ''}${d.revoked ? '  REVOKED' : ''}  ${seen}`;
}

/** A message still in the outbox after an attempt: why, and that it is not lost. */
export function pendingLine(lastError: string): string {
  return `pending: not sent yet (${lastError}); it stays in the outbox and is sent again later (foyer client sync --wait SECONDS)`;
}

/**
 * The outcome of a sync: counts, then each failure with its reason, each entry still
 * waiting with the error of its last attempt, and each removal.
 */
export function syncReport(
  r: SyncResult,
  waiting: ReadonlyArray<{ id: string; conversationId: string; lastError: string | null }> = [],
): string {
  const lines = [
    `${r.processed} item(s) processed, ${r.sent} sent, ${r.waiting} waiting, ${r.failed} failed${r.failed > 0 ? ':' : '.'}`,
  ];
  for (const f of r.failures) {
    const where = [
      f.conversationId === null ? '' : `conversation ${f.conversationId}`,
      f.messageId === null ? '' : `message ${f.messageId}`,
    ]
      .filter((s) => s !== '')
      .join(', ');
    lines.push(`  ${where === '' ? '' : `${where}: `}${f.reason}`);
  }
  for (const w of waiting) {
    if (w.lastError === null) continue;
    lines.push(
      `  waiting: conversation ${w.conversationId}, message ${w.id}: ${w.lastError}; sent again later`,
    );
  }
  for (const id of r.removedFrom) lines.push(`You were removed from conversation ${id}.`);
  return lines.join('\n');
}
