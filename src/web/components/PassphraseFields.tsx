/**
 * Choosing a new passphrase for this browser (joining, linking): typed twice, with the plain
 * warning that it protects the keys kept here and cannot be recovered.
 */
import { t } from '../i18n/index.ts';
import { Field } from './Field.tsx';

/** The shortest passphrase accepted for a new store. */
export const MIN_PASSPHRASE = 8;

export function PassphraseFields({
  pass,
  again,
  onPass,
  onAgain,
  mismatch,
}: {
  pass: string;
  again: string;
  onPass: (value: string) => void;
  onAgain: (value: string) => void;
  /** Set after a submit with two different passphrases. */
  mismatch: boolean;
}) {
  return (
    <>
      <Field
        label={t('join.passphrase')}
        type="password"
        value={pass}
        onInput={onPass}
        hint={t('join.passphraseHint', { min: MIN_PASSPHRASE })}
        autoComplete="new-password"
        required
        minLength={MIN_PASSPHRASE}
      />
      <Field
        label={t('join.again')}
        type="password"
        value={again}
        onInput={onAgain}
        error={mismatch ? t('join.mismatch') : undefined}
        autoComplete="new-password"
        required
        minLength={MIN_PASSPHRASE}
      />
      <p class="warning" role="note">
        {t('join.noRecovery')}
      </p>
    </>
  );
}
