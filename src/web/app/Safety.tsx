/**
 * Safety numbers with a contact: the digits and a QR code to compare in person, marking them
 * verified, and the decision when their identity key changed.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Live } from '../engine/live.ts';
import type { SafetyView } from '../lib/engine.ts';
import { t } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { Loading } from '../components/Lazy.tsx';
import { QrCode } from '../components/QrCode.tsx';
import { Panel } from './Panel.tsx';
import { ContactActions } from './contacts/ContactActions.tsx';
import type { View } from './nav.ts';

export function Safety({ live: l, user, back }: { live: Live; user: string; back: string | null }) {
  const [view, setView] = useState<SafetyView | null>(null);
  const [failure, setFailure] = useState<string | undefined>();
  const load = (): void => {
    l.engine.safety(user).then(setView, (err: unknown) => setFailure(errorText(err)));
  };
  useEffect(load, [user]);
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      load();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const backView: View = back === null ? { name: 'home' } : { name: 'chat', id: back };
  return (
    <Panel title={t('safety.title', { name: user })} back={backView}>
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      {view === null && failure === undefined && <Loading />}
      {view !== null && (
        <>
          {view.changed && (
            <div class="banner danger" role="alert">
              <p>{t('safety.changed', { name: user })}</p>
              <div class="actions">
                <button
                  type="button"
                  class="danger"
                  onClick={() =>
                    void act(async () => {
                      await l.engine.acceptIdentityChange(user);
                      l.identityChanged.value = l.identityChanged.value.filter((u) => u !== user);
                    })
                  }
                >
                  {t('safety.accept')}
                </button>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => {
                    l.identityChanged.value = l.identityChanged.value.filter((u) => u !== user);
                    setFailure(t('safety.refused', { name: user }));
                  }}
                >
                  {t('safety.refuse')}
                </button>
              </div>
            </div>
          )}
          <p>{t('safety.intro', { name: user })}</p>
          <output class="safety-digits" aria-label={t('safety.digitsLabel')}>
            {view.digits}
          </output>
          <QrCode value={view.qr} label={t('safety.qrLabel')} />
          <p class={view.verified ? 'verified' : 'hint'} role="status">
            {view.verified ? t('safety.verified', { name: user }) : t('safety.notVerified')}
          </p>
          {view.verified ? (
            <button
              type="button"
              class="secondary"
              onClick={() => void act(() => l.engine.setVerified(user, false))}
            >
              {t('safety.unmark')}
            </button>
          ) : (
            <button
              type="button"
              disabled={view.changed}
              onClick={() => void act(() => l.engine.setVerified(user, true))}
            >
              {t('safety.mark')}
            </button>
          )}
        </>
      )}
      <ContactActions live={l} user={user} />
    </Panel>
  );
}
