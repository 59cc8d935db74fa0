/** Coming back: the passphrase opens the keys kept in this browser. */
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { Card } from '../components/Card.tsx';
import { Field } from '../components/Field.tsx';
import { enter, loadLive } from '../state/session.ts';

export function Unlock() {
  const [pass, setPass] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (pass === '') return;
    setBusy(true);
    setError(undefined);
    try {
      const { unlock } = await loadLive();
      const l = await unlock(pass);
      if (location.pathname !== '/') history.replaceState(null, '', '/');
      enter(l);
    } catch (err) {
      setError(errorText(err));
      setPass('');
      setBusy(false);
    }
  };

  return (
    <Card title={t('unlock.title')}>
      <p>{t('unlock.intro')}</p>
      <form onSubmit={(e) => void submit(e)} aria-busy={busy}>
        <Field
          label={t('unlock.passphrase')}
          type="password"
          value={pass}
          onInput={setPass}
          error={error}
          autoComplete="current-password"
          autoFocus
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? t('unlock.working') : t('unlock.submit')}
        </button>
      </form>
    </Card>
  );
}
