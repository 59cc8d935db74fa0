/**
 * A system notification for a message that arrives while the person is not looking at the
 * page: hidden (another tab, the phone's lock screen) or visible but without focus (another
 * window in front). It names the conversation, never the text: a notification may be shown
 * on a locked screen.
 */
import type { ConversationView, MessageView } from '../lib/engine.ts';
import { t } from '../i18n/index.ts';
import { shortName } from '../lib/addresses.ts';

export function notifyIncoming(
  conversations: ConversationView[],
  m: MessageView,
  myDomain: string,
): void {
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const conv = conversations.find((c) => c.id === m.conversationId);
  const where = conv?.kind === 'group' ? (conv.title ?? '') : shortName(m.sender, myDomain);
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
