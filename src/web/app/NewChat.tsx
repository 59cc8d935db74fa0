/** Starting a one-to-one conversation with a member of the household. */
import { useState } from 'preact/hooks';
import type { Live } from '../engine/live.ts';
import { FoyerError } from '../lib/engine.ts';
import { t } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { actionErrorText } from './group/actionError.ts';
import { Loading } from '../components/Lazy.tsx';
import { Avatar } from './Avatar.tsx';
import { go } from './nav.ts';
import { Panel } from './Panel.tsx';
import { useMembers } from './useMembers.ts';

export function NewChat({ live: l }: { live: Live }) {
  const { members, error } = useMembers(l);
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | undefined>();
  const start = async (name: string): Promise<void> => {
    setBusy(name);
    setFailure(undefined);
    try {
      const conv = await l.engine.openDirect(name);
      await l.refreshConversations();
      go({ name: 'chat', id: conv.id });
      await l.open(conv.id);
    } catch (err) {
      if (err instanceof FoyerError && err.code === 'identity_changed') {
        // Their key changed since it was pinned: the decision comes before any message.
        if (!l.identityChanged.value.includes(name)) {
          l.identityChanged.value = [...l.identityChanged.value, name];
        }
        go({ name: 'safety', user: name, back: null });
        return;
      }
      setFailure(actionErrorText(err));
      setBusy(null);
    }
  };
  return (
    <Panel title={t('newChat.title')}>
      <p>{t('newChat.intro')}</p>
      {error !== null && (
        <p class="error" role="alert">
          {errorText(error)}
        </p>
      )}
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      {members === null && error === null && <Loading />}
      {members !== null && members.length === 0 && <p class="empty-hint">{t('newChat.alone')}</p>}
      {members !== null && members.length > 0 && (
        <ul class="pick-list">
          {members.map((m) => (
            <li key={m.name}>
              <button
                type="button"
                class="pick"
                disabled={busy !== null}
                onClick={() => void start(m.name)}
              >
                <Avatar name={m.name} />
                <span>{m.name}</span>
                {busy === m.name && <span class="spinner" aria-hidden="true" />}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
