/** One conversation: its history with day separators and states, the typing notice, the composer. */
import { useEffect, useRef } from 'preact/hooks';
import type { Live } from '../../engine/live.ts';
import { formatDay, t, tn } from '../../i18n/index.ts';
import { Avatar } from '../Avatar.tsx';
import { go } from '../nav.ts';
import { conversationTitle } from '../names.ts';
import { shortName } from '../../lib/addresses.ts';
import { Composer } from './Composer.tsx';
import { Message } from './Message.tsx';
import { SystemLine } from './SystemLine.tsx';
import { Icon } from '../../components/Icon.tsx';

const PEOPLE =
  'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm7 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM9 13c-3.3 0-7 1.6-7 4v3h14v-3c0-2.4-3.7-4-7-4zm7 0c-.5 0-1 0-1.5.1 1.5 1 2.5 2.3 2.5 3.9v3h5v-3c0-2.4-3.2-4-6-4z';
const SHIELD =
  'M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4z';

function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function Chat({ live: l, id }: { live: Live; id: string }) {
  const conv = l.conversations.value.find((c) => c.id === id);
  const messages = l.messages.value.get(id);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (messages === undefined) void l.open(id);
  }, [id]);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages?.length]);
  if (conv === undefined) {
    return (
      <section class="chat">
        <p class="empty-hint">{t('chat.gone')}</p>
      </section>
    );
  }
  const title = conversationTitle(conv, l.me);
  const typing = l.typing.value[id];
  const peer =
    conv.kind === 'direct' && conv.peer !== null ? shortName(conv.peer, l.me.domain) : null;
  let lastDay = '';
  return (
    <section class="chat" aria-labelledby="chat-title">
      <header class="chat-head">
        <button
          type="button"
          class="icon back"
          aria-label={t('common.back')}
          onClick={() => go({ name: 'home' })}
        >
          ‹
        </button>
        <Avatar
          name={title}
          group={conv.kind === 'group'}
          picture={conv.profile?.picture ?? null}
        />
        <div class="chat-head-text">
          <h1 id="chat-title" dir="auto">
            {title}
          </h1>
          <p class="chat-sub">
            {conv.status !== 'active'
              ? t(conv.status === 'left' ? 'list.left' : 'list.removed')
              : conv.kind === 'group'
                ? tn('list.members', conv.members.length)
                : t('chat.e2ee')}
          </p>
        </div>
        {conv.kind === 'group' ? (
          <button
            type="button"
            class="icon head-action"
            aria-label={t('chat.details')}
            title={t('chat.details')}
            onClick={() => go({ name: 'group', id })}
          >
            <Icon d={PEOPLE} />
          </button>
        ) : (
          peer !== null && (
            <button
              type="button"
              class="icon head-action"
              aria-label={t('chat.safety')}
              title={t('chat.safety')}
              onClick={() => go({ name: 'safety', user: peer, back: id })}
            >
              <Icon d={SHIELD} />
            </button>
          )
        )}
      </header>
      {conv.conflict !== undefined && conv.status === 'active' && (
        <div class="banner danger conflict" role="alert">
          {t('chat.conflict')}
        </div>
      )}
      <ol class="messages" aria-label={t('chat.history')} aria-live="polite">
        {(messages ?? []).map((m) => {
          const day = dayOf(m.sentAt);
          const separator = day !== lastDay;
          lastDay = day;
          return [
            separator && (
              <li class="day" key={`day-${day}`}>
                <span>{formatDay(m.sentAt)}</span>
              </li>
            ),
            m.system !== undefined ? (
              <SystemLine
                key={m.id}
                m={m}
                line={m.system}
                me={l.me.address}
                myDomain={l.me.domain}
              />
            ) : (
              <Message
                key={m.id}
                m={m}
                sender={shortName(m.sender, l.me.domain)}
                showSender={conv.kind === 'group'}
                onRetry={() => void l.retry(m).catch((err: unknown) => l.report(err))}
              />
            ),
          ];
        })}
        {messages !== undefined && messages.length === 0 && (
          <li class="empty-hint">{t('chat.empty')}</li>
        )}
      </ol>
      <div ref={end} />
      <p class="typing" role="status">
        {typing !== undefined ? t('chat.typing', { name: typing.user }) : ''}
      </p>
      {conv.status === 'active' ? (
        <Composer live={l} conversationId={id} />
      ) : (
        <p class="ended-note" role="note">
          {t(conv.status === 'left' ? 'chat.left' : 'chat.removed')}
        </p>
      )}
    </section>
  );
}
