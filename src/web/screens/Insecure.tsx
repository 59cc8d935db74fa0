/**
 * Shown when the page is not a secure context (plain HTTP on an address other than
 * localhost): browsers then withhold WebCrypto, so no key could be made. Explains why and
 * what to do instead of failing obscurely.
 */
import { t } from '../i18n/index.ts';
import { Card } from '../components/Card.tsx';

export function Insecure() {
  const https = `https://${location.host}${location.pathname}${location.hash}`;
  return (
    <Card title={t('insecure.title')}>
      <p>{t('insecure.why')}</p>
      <p>{t('insecure.what')}</p>
      <ul class="plain-list">
        <li>
          {t('insecure.https')} <code>{https}</code>
        </li>
        <li>{t('insecure.localhost')}</li>
        <li>{t('insecure.admin')}</li>
      </ul>
    </Card>
  );
}
