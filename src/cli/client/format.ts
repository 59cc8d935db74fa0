/** Human-readable output of the client commands (JSON output is the views as they are). */
import type { ConversationView, MessageView } from '../../shared/engine/index.ts';
import type { DeviceView } from '../../shared/engine/index.ts';

export function conversationLine(c: ConversationView): string {
  const name = c.kind === 'direct' ? `with ${c.peer ?? '?'}` : (c.title ?? '(untitled group)');
  const flags = [c.status === 'removed' ? 'removed' : '', c.unread > 0 ? `${c.unread} unread` : '']
    .filter((f) => f !== '')
    .join(', ');
  return `${c.id}  ${c.kind.padEnd(6)}  ${name}  [${c.members.join(', ')}]${flags ? `  (${flags})` : ''}`;
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
