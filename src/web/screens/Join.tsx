/** Joining with an invite: a name and a passphrase that cannot be recovered. */
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { Card } from '../components/Card.tsx';
import { Field } from '../components/Field.tsx';
import { MIN_PASSPHRASE, PassphraseFields } from '../components/PassphraseFields.tsx';
import { enter, loadLive } from '../state/session.ts';
const NAME_RE = /^[a-z0-9._-]{1,32}$/;

export function Join({ invite }: { invite: string }) {
  const [name, setName] = useState('');
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [nameError, setNameError] = useState<string | undefined>();
  const [mismatch, setMismatch] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const n = name.trim();
    setNameError(NAME_RE.test(n) ? undefined : t('join.nameRule'));
    setMismatch(pass !== again);
    if (!NAME_RE.test(n) || pass !== again || pass.length < MIN_PASSPHRASE) return;
    setBusy(true);
    setError(undefined);
    try {
      const { register } = await loadLive();
      const l = await register(invite, n, pass);
      history.replaceState(null, '', '/');
      enter(l);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <Card title={t('join.title')}>
      <p>{t('join.intro')}</p>
      <form onSubmit={(e) => void submit(e)} aria-busy={busy}>
        <Field
          label={t('join.name')}
          value={name}
          onInput={(v) => setName(v.toLowerCase())}
          hint={t('join.nameHint')}
          error={nameError}
          autoComplete="username"
          autoFocus
          required
          maxLength={32}
        />
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
        <button type="submit" disabled={busy}>
          {busy ? t('join.working') : t('join.submit')}
        </button>
      </form>
    </Card>
  );
}
