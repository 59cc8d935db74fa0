/** Language, notifications, lock now, and signing out of this browser. */
import { useState } from 'preact/hooks';
import type { Live } from '../engine/live.ts';
import { locale, setLocale, t, type Locale } from '../i18n/index.ts';
import { deleteStore } from '../store/idbStorage.ts';
import { phase, routeAfterLock } from '../state/boot.ts';
import { lockNow, live as liveSignal } from '../state/session.ts';
import { go } from './nav.ts';
import { Panel } from './Panel.tsx';
import { BlockedList } from './contacts/BlockedList.tsx';

export function Settings({ live: l }: { live: Live }) {
  const [permission, setPermission] = useState(
    'Notification' in window ? Notification.permission : 'denied',
  );
  const [confirming, setConfirming] = useState(false);
  const signOut = async (): Promise<void> => {
    liveSignal.value = null;
    phase.value = { name: 'loading' };
    await l.close();
    await deleteStore();
    go({ name: 'home' });
    await routeAfterLock();
  };
  return (
    <Panel title={t('settings.title')}>
      <h2>{t('settings.language')}</h2>
      <label class="select">
        <span>{t('settings.languageLabel')}</span>
        <select value={locale.value} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
          <option value="en">English</option>
          <option value="fr">Français</option>
        </select>
      </label>
      <h2>{t('settings.notifications')}</h2>
      {permission === 'granted' ? (
        <p class="hint">{t('settings.notificationsOn')}</p>
      ) : (
        <button
          type="button"
          class="secondary"
          disabled={permission === 'denied'}
          onClick={() => void Notification.requestPermission().then(setPermission)}
        >
          {permission === 'denied'
            ? t('settings.notificationsBlocked')
            : t('settings.notificationsEnable')}
        </button>
      )}
      <BlockedList live={l} />
      <h2>{t('settings.lockTitle')}</h2>
      <p class="hint">{t('settings.lockHint')}</p>
      <button
        type="button"
        class="secondary"
        onClick={() => {
          go({ name: 'home' });
          void lockNow();
        }}
      >
        {t('settings.lock')}
      </button>
      <h2>{t('settings.signOutTitle')}</h2>
      <p class="warning">{t('settings.signOutWarning')}</p>
      {confirming ? (
        <div class="actions">
          <button type="button" class="danger" onClick={() => void signOut()}>
            {t('settings.signOutConfirm')}
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          {t('settings.signOut')}
        </button>
      )}
      <p class="hint about">{t('settings.about', { address: l.me.address })}</p>
    </Panel>
  );
}
