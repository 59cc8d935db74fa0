/**
 * Linking this browser to an existing account: choose a passphrase for this browser, then
 * show a code (and its QR) that a device already signed in approves.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { Card } from '../components/Card.tsx';
import { PassphraseFields } from '../components/PassphraseFields.tsx';
import { QrCode } from '../components/QrCode.tsx';
import { phase } from '../state/boot.ts';
import { enter, loadLive } from '../state/session.ts';

export function LinkDevice() {
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [shown, setShown] = useState<{ code: string; qr: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [mismatch, setMismatch] = useState(false);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setMismatch(pass !== again);
    if (pass !== again) return;
    setBusy(true);
    setError(undefined);
    abort.current = new AbortController();
    try {
      const { link } = await loadLive();
      const l = await link(pass, (code, qr) => setShown({ code, qr }), abort.current.signal);
      enter(l);
    } catch (err) {
      setError(errorText(err));
      setShown(null);
      setBusy(false);
    }
  };

  if (shown !== null) {
    return (
      <Card title={t('link.showTitle')}>
        <p>{t('link.showIntro')}</p>
        <output class="code-box" aria-label={t('link.codeLabel')}>
          {shown.code}
        </output>
        <QrCode value={shown.qr} label={t('link.qrLabel')} />
        <p class="hint" role="status">
          {t('link.waiting')}
        </p>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            abort.current?.abort();
            phase.value = { name: 'welcome' };
          }}
        >
          {t('common.cancel')}
        </button>
      </Card>
    );
  }
  return (
    <Card title={t('link.title')}>
      <p>{t('link.intro')}</p>
      <form onSubmit={(e) => void submit(e)} aria-busy={busy}>
        <PassphraseFields
          pass={pass}
          again={again}
          onPass={setPass}
          onAgain={setAgain}
          mismatch={mismatch}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() => (phase.value = { name: 'welcome' })}
          >
            {t('common.back')}
          </button>
          <button type="submit" disabled={busy}>
            {t('link.submit')}
          </button>
        </div>
      </form>
    </Card>
  );
}
