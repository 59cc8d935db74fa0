/** A browser with no account and no invite: how to get in. */
import { t } from '../i18n/index.ts';
import { Card } from '../components/Card.tsx';
import { phase } from '../state/boot.ts';

export function Welcome() {
  return (
    <Card title={t('welcome.title')}>
      <p>{t('welcome.invite')}</p>
      <p>{t('welcome.link')}</p>
      <button type="button" class="secondary" onClick={() => (phase.value = { name: 'link' })}>
        {t('welcome.linkButton')}
      </button>
    </Card>
  );
}
