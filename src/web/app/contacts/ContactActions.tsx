/**
 * Remove a contact or block them, on all of this user's devices (docs/groups.md, "Removing a
 * contact and blocking"): their one-to-one conversations go; a block also hides what they
 * send until Unblock. The blocked person is not told.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Live } from '../../engine/live.ts';
import { t } from '../../i18n/index.ts';
import { actionErrorText } from '../group/actionError.ts';
import { go, view } from '../nav.ts';

export function ContactActions({ live: l, user }: { live: Live; user: string }) {
  const [blocked, setBlocked] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const address = user.includes('@') ? user : `${user}@${l.me.domain}`;
  useEffect(() => {
    let on = true;
    l.engine.blocked().then(
      (list) => on && setBlocked(list.includes(address)),
      (err: unknown) => on && setFailure(actionErrorText(err)),
    );
    return () => {
      on = false;
    };
  }, [address]);
  const act = async (fn: () => Promise<unknown>, leave: boolean): Promise<void> => {
    setBusy(true);
    setFailure(undefined);
    const here = view.value;
    try {
      await fn();
      await l.refreshConversations();
      // Back home once done — unless the person has already gone somewhere else meanwhile.
      if (leave && view.value === here) go({ name: 'home' });
    } catch (err) {
      setFailure(actionErrorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="contact-actions" aria-labelledby="contact-heading">
      <h2 id="contact-heading">{t('contact.title')}</h2>
      <p class="hint">{t('contact.hint', { name: user })}</p>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => {
            if (confirm(t('contact.removeConfirm', { name: user })))
              void act(() => l.engine.removeContact(user), true);
          }}
        >
          {t('contact.remove')}
        </button>
        {blocked === true ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await l.engine.unblock(user);
                setBlocked(false);
              }, false)
            }
          >
            {t('contact.unblock')}
          </button>
        ) : (
          <button
            type="button"
            class="danger"
            disabled={busy || blocked === null}
            onClick={() => {
              if (confirm(t('contact.blockConfirm', { name: user })))
                void act(() => l.engine.block(user), true);
            }}
          >
            {t('contact.block')}
          </button>
        )}
      </div>
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
    </section>
  );
}
