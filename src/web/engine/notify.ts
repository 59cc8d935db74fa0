/**
 * A system notification for a message that arrives while the page is hidden (another tab,
 * another window, the phone's lock screen). It names the conversation, never the text: a
 * notification may be shown on a locked screen.
 */
import type { ConversationView, MessageView } from '../lib/engine.ts';
import { t } from '../i18n/index.ts';

export function notifyIncoming(conversations: ConversationView[], m: MessageView): void {
  if (document.visibilityState === 'visible') return;
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const conv = conversations.find((c) => c.id === m.conversationId);
  const where = conv?.kind === 'group' ? (conv.title ?? '') : m.sender;
  const n = new Notification('Foyer', {
    body: t('notify.body', { name: where }),
    tag: m.conversationId,
    icon: '/icons/icon-192.png',
  });
  n.onclick = () => {
    window.focus();
    n.close();
  };
}
