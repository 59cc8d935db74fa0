/** A line the group's decisions wrote into the history: who was banned, by whose votes. */
import type { MessageView, SystemLine as Line } from '../../lib/engine.ts';
import { formatTime, t } from '../../i18n/index.ts';
import { shortName } from '../../lib/addresses.ts';
import { targetName } from '../group/BannedList.tsx';

function words(line: Line, me: string, myDomain: string): string {
  const voters = line.voters.map((v) => shortName(v, myDomain)).join(', ');
  if (line.t === 'banned' && line.target === me) return t('system.youBanned', { voters });
  const target = targetName(line.target, myDomain);
  return t(line.t === 'banned' ? 'system.banned' : 'system.unbanned', { target, voters });
}

export function SystemLine({
  m,
  line,
  me,
  myDomain,
}: {
  m: MessageView;
  line: Line;
  me: string;
  myDomain: string;
}) {
  return (
    <li class="system-line" data-message-id={m.id}>
      <span>{words(line, me, myDomain)}</span>{' '}
      <time dateTime={new Date(m.sentAt).toISOString()}>{formatTime(m.sentAt)}</time>
    </li>
  );
}
