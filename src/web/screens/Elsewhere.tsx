/** Another tab holds the account: say so, and offer to move it here. */
import { t } from '../i18n/index.ts';
import { Card } from '../components/Card.tsx';
import { routeAfterLock } from '../state/boot.ts';
import { lostToAnotherTab } from '../state/session.ts';
import { stealEngineLock } from '../state/tabLock.ts';

export function Elsewhere() {
  const useHere = async (): Promise<void> => {
    if (await stealEngineLock(() => void lostToAnotherTab())) await routeAfterLock();
  };
  return (
    <Card title={t('elsewhere.title')}>
      <p>{t('elsewhere.why')}</p>
      <button type="button" onClick={() => void useHere()}>
        {t('elsewhere.useHere')}
      </button>
    </Card>
  );
}
