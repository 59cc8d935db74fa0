/** What the person must know now: offline with messages waiting, a changed key, an update, errors. */
import type { Live } from '../engine/live.ts';
import { t, tn } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { applyUpdate, updateReady } from '../state/serviceWorker.ts';
import { go } from './nav.ts';

export function Banners({ live: l }: { live: Live }) {
  const waiting = l.outboxSize.value;
  return (
    <div class="banners">
      {!l.online.value && (
        <div class="banner offline" role="status">
          {waiting > 0 ? tn('banner.offlineWaiting', waiting) : t('banner.offline')}
        </div>
      )}
      {l.online.value && waiting > 0 && (
        <div class="banner sending" role="status">
          {tn('banner.sending', waiting)}
        </div>
      )}
      {l.identityChanged.value.map((user) => (
        <div class="banner danger" role="alert" key={user}>
          <span>{t('banner.identityChanged', { name: user })}</span>
          <button
            type="button"
            class="small"
            onClick={() => go({ name: 'safety', user, back: null })}
          >
            {t('banner.review')}
          </button>
        </div>
      ))}
      {updateReady.value !== null && (
        <div class="banner info" role="status">
          <span>{t('banner.update')}</span>
          <button type="button" class="small" onClick={applyUpdate}>
            {t('banner.updateNow')}
          </button>
        </div>
      )}
      {l.errors.value.map((e) => (
        <div class="banner danger" role="alert" key={e.id}>
          <span>{errorText(e)}</span>
          <button type="button" class="small secondary" onClick={() => l.dismiss(e.id)}>
            {t('common.dismiss')}
          </button>
        </div>
      ))}
    </div>
  );
}
