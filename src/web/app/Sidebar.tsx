/** The conversation list with unread counts, and the way to everything else. */
import type { Live } from '../engine/live.ts';
import { formatTime, t, tn } from '../i18n/index.ts';
import { Logo } from '../components/Logo.tsx';
import { Icon } from '../components/Icon.tsx';
import { Avatar } from './Avatar.tsx';
import { go, view } from './nav.ts';
import { conversationTitle } from './names.ts';

export function Sidebar({ live: l }: { live: Live }) {
  // Conversations left or removed from stay listed (their history is readable), marked so.
  const convs = l.conversations.value;
  const v = view.value;
  const current = v.name === 'chat' ? v.id : null;
  return (
    <aside class="sidebar" aria-label={t('nav.sidebar')}>
      <header class="sidebar-head">
        <div class="brand">
          <Logo size={32} />
          <span class="brand-name">Foyer</span>
        </div>
        <nav class="head-actions" aria-label={t('nav.menu')}>
          <button
            type="button"
            class="icon"
            aria-label={t('nav.devices')}
            title={t('nav.devices')}
            onClick={() => go({ name: 'devices' })}
          >
            <Icon d="M7 2h10a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm0 3v13h10V5zm5 14.2a1 1 0 1 0 0 .1z" />
          </button>
          {l.me.admin && (
            <button
              type="button"
              class="icon"
              aria-label={t('nav.admin')}
              title={t('nav.admin')}
              onClick={() => go({ name: 'admin' })}
            >
              <Icon d="M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5zm0 5a3 3 0 1 1 0 6 3 3 0 0 1 0-6zm0 13c-2.4-.9-4.3-3-5-5.5 1.4-1.3 3.1-2 5-2s3.6.7 5 2c-.7 2.5-2.6 4.6-5 5.5z" />
            </button>
          )}
          <button
            type="button"
            class="icon"
            aria-label={t('nav.settings')}
            title={t('nav.settings')}
            onClick={() => go({ name: 'settings' })}
          >
            <Icon d="M19.4 13a7.5 7.5 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3h-4l-.4 2.9a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.5 7.5 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1c.5.4 1.1.8 1.7 1L11 21h4l.4-2.9c.6-.2 1.2-.6 1.7-1l2.5 1 2-3.5zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z" />
          </button>
        </nav>
      </header>
      <div class="me-line">
        <Avatar name={l.me.user} />
        <span>
          <span class="me-name">{l.me.user}</span>
          <span class="me-address">{l.me.address}</span>
        </span>
      </div>
      <div class="new-buttons">
        <button type="button" onClick={() => go({ name: 'new-chat' })}>
          {t('nav.newChat')}
        </button>
        <button type="button" class="secondary" onClick={() => go({ name: 'new-group' })}>
          {t('nav.newGroup')}
        </button>
      </div>
      <h2 class="visually-hidden" id="conv-heading">
        {t('nav.conversations')}
      </h2>
      {convs.length === 0 ? (
        <p class="empty-hint">{t('list.empty')}</p>
      ) : (
        <ul class="conv-list" aria-labelledby="conv-heading">
          {convs.map((c) => {
            const title = conversationTitle(c, l.me);
            const typing = l.typing.value[c.id];
            return (
              <li key={c.id}>
                <button
                  type="button"
                  class={`conv${current === c.id ? ' current' : ''}${c.status === 'active' ? '' : ' ended'}`}
                  aria-current={current === c.id ? 'page' : undefined}
                  onClick={() => {
                    go({ name: 'chat', id: c.id });
                    void l.open(c.id);
                  }}
                >
                  <Avatar
                    name={title}
                    group={c.kind === 'group'}
                    picture={c.profile?.picture ?? null}
                  />
                  <span class="conv-main">
                    <span class="conv-title" dir="auto">
                      {title}
                    </span>
                    <span class="conv-sub">
                      {typing !== undefined
                        ? t('chat.typing', { name: typing.user })
                        : c.status !== 'active'
                          ? t(c.status === 'left' ? 'list.left' : 'list.removed')
                          : c.kind === 'group'
                            ? tn('list.members', c.members.length)
                            : t('list.direct')}
                    </span>
                  </span>
                  <span class="conv-side">
                    <span class="conv-time">{formatTime(c.lastActivityAt)}</span>
                    {c.unread > 0 && (
                      <span class="badge">
                        <span aria-hidden="true">{c.unread}</span>
                        <span class="visually-hidden">{tn('list.unread', c.unread)}</span>
                      </span>
                    )}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </aside>
  );
}
