/** The people this user blocked (synced across their devices), each with Unblock. */
import { useEffect, useState } from 'preact/hooks';
import type { Live } from '../../engine/live.ts';
import { t } from '../../i18n/index.ts';
import { shortName } from '../../lib/addresses.ts';
import { actionErrorText } from '../group/actionError.ts';

export function BlockedList({ live: l }: { live: Live }) {
  const [blocked, setBlocked] = useState<string[] | null>(null);
  const [failure, setFailure] = useState<string | undefined>();
  const load = (): void => {
    l.engine.blocked().then(setBlocked, (err: unknown) => setFailure(actionErrorText(err)));
  };
  useEffect(load, [l]);
  const unblock = async (address: string): Promise<void> => {
    setFailure(undefined);
    try {
      await l.engine.unblock(address);
      await l.refreshConversations();
    } catch (err) {
      setFailure(actionErrorText(err));
    }
    load();
  };
  return (
    <>
      <h2>{t('contact.blockedTitle')}</h2>
      {blocked !== null && blocked.length === 0 && <p class="hint">{t('contact.noneBlocked')}</p>}
      {blocked !== null && blocked.length > 0 && (
        <ul class="member-list blocked-list">
          {blocked.map((address) => {
            const name = shortName(address, l.me.domain);
            return (
              <li key={address}>
                <span class="member-name">{name}</span>
                <button
                  type="button"
                  class="small secondary"
                  aria-label={t('contact.unblockWho', { name })}
                  onClick={() => void unblock(address)}
                >
                  {t('contact.unblock')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
    </>
  );
}
