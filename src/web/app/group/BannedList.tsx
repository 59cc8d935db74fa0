/** The people and devices banned from a group, with the votes to lift each ban. */
import type { GovernanceView } from '../../lib/engine.ts';
import { t, tn } from '../../i18n/index.ts';
import { shortName } from '../../lib/addresses.ts';
import { isAdmin, tally } from './votes.ts';

/** A ban target as shown: a name, or "name's device id". */
export function targetName(target: string, myDomain: string): string {
  const slash = target.indexOf('/');
  if (slash < 0) return shortName(target, myDomain);
  return t('group.deviceOf', {
    name: shortName(target.slice(0, slash), myDomain),
    id: target.slice(slash + 1),
  });
}

export function BannedList({
  g,
  me,
  myDomain,
  busy,
  unban,
  unvote,
}: {
  g: GovernanceView;
  me: string;
  myDomain: string;
  busy: boolean;
  unban: (target: string) => void;
  unvote: (target: string) => void;
}) {
  const banned = [...g.bannedIdentities, ...g.bannedDevices];
  if (banned.length === 0) return null;
  const iAmAdmin = isAdmin(g, me);
  return (
    <>
      <h2>{t('group.bannedTitle')}</h2>
      <p class="hint">{t('group.bannedHint')}</p>
      <ul class="member-list banned-list">
        {banned.map((target) => {
          const name = targetName(target, myDomain);
          const v = tally(g, target, 'unban', me);
          return (
            <li key={target}>
              <span class="member-name">
                <span>{name}</span>
                {v.voted > 0 && (
                  <span class="hint votes">
                    {tn('group.unbanVotes', v.voted, { total: v.eligible, needed: v.needed })}
                  </span>
                )}
              </span>
              {iAmAdmin && (
                <span class="row-actions">
                  {v.mine ? (
                    <button
                      type="button"
                      class="small secondary"
                      disabled={busy}
                      aria-label={t('group.unvoteWho', { name })}
                      onClick={() => unvote(target)}
                    >
                      {t('group.unvote')}
                    </button>
                  ) : (
                    <button
                      type="button"
                      class="small"
                      disabled={busy}
                      aria-label={t('group.unbanWho', { name })}
                      onClick={() => unban(target)}
                    >
                      {t('group.unban')}
                    </button>
                  )}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
