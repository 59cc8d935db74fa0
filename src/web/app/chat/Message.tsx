/** One message bubble: text (as text), time, and for our own messages the delivery state. */
import type { MessageView } from '../../lib/engine.ts';
import { formatTime, t } from '../../i18n/index.ts';
import { MessageText } from '../text.tsx';

const STATE_MARK: Readonly<Record<MessageView['state'], string>> = {
  pending: '🕓',
  sent: '✓',
  relayed: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '!',
  received: '',
};

export function Message({
  m,
  sender,
  showSender,
  onRetry,
}: {
  m: MessageView;
  /** The sender as shown (name, or address when from another instance). */
  sender: string;
  showSender: boolean;
  onRetry: () => void;
}) {
  return (
    <li class={`msg ${m.outgoing ? 'out' : 'in'} state-${m.state}`} data-message-id={m.id}>
      {showSender && !m.outgoing && <p class="msg-sender">{sender}</p>}
      <MessageText text={m.text} />
      <p class="msg-meta">
        <time dateTime={new Date(m.sentAt).toISOString()}>{formatTime(m.sentAt)}</time>
        {m.outgoing && (
          <span
            class="msg-state"
            data-state={m.state}
            aria-label={t(`state.${m.state}`)}
            title={t(`state.${m.state}`)}
          >
            {STATE_MARK[m.state]}
          </span>
        )}
      </p>
      {m.outgoing && m.state === 'failed' && (
        <button type="button" class="small danger" onClick={onRetry}>
          {t('chat.retry')}
        </button>
      )}
    </li>
  );
}
