/** One member of a group: role, devices, and the actions this person may take on them. */
import type { GovernanceView, MemberView } from '../../lib/engine.ts';
import { t, tn } from '../../i18n/index.ts';
import { Avatar } from '../Avatar.tsx';
import { go } from '../nav.ts';
import { isAdmin, tally } from './votes.ts';

export interface MemberActions {
  busy: boolean;
  promote: (address: string) => void;
  demote: (address: string) => void;
  voteBan: (target: string, name: string) => void;
  unvote: (target: string) => void;
  remove: (name: string) => void;
}

export function MemberRow({
  m,
  g,
  me,
  name,
  groupId,
  actions: a,
}: {
  m: MemberView;
  g: GovernanceView;
  me: string;
  /** The member as shown (name, or address from another instance). */
  name: string;
  groupId: string;
  actions: MemberActions;
}) {
  const self = m.address === me;
  const iAmAdmin = g.governed && isAdmin(g, me);
  const admins = g.members.filter((x) => x.role === 'admin').length;
  const ban = tally(g, m.address, 'ban', me);
  // Only admins remove, and never another admin (bans and leaving do that); an ungoverned
  // group (made before roles existed) lets anyone remove anyone, as it always did.
  const canRemove = !self && (!g.governed || (iAmAdmin && m.role !== 'admin'));
  return (
    <li class="member">
      <Avatar name={name} />
      <span class="member-name">
        <span>{self ? t('group.you', { name }) : name}</span>
        {g.governed && (
          <span class="member-tags">
            <span class={`role role-${m.role}`}>
              {t(m.role === 'admin' ? 'group.admin' : 'group.member')}
            </span>
            {m.state === 'invited' && <span class="role role-invited">{t('group.invited')}</span>}
            {m.leaving && <span class="role role-leaving">{t('group.leaving')}</span>}
          </span>
        )}
        <span class="hint">{tn('group.devices', m.devices.length)}</span>
        {ban.voted > 0 && (
          <span class="hint votes">
            {tn('group.banVotes', ban.voted, { total: ban.eligible, needed: ban.needed })}
          </span>
        )}
      </span>
      <span class="row-actions">
        {!self && (
          <button
            type="button"
            class="small secondary"
            onClick={() => go({ name: 'safety', user: name, back: groupId })}
          >
            {t('chat.safety')}
          </button>
        )}
        {iAmAdmin && !self && m.role === 'member' && (
          <button
            type="button"
            class="small"
            disabled={a.busy}
            aria-label={t('group.promoteWho', { name })}
            onClick={() => a.promote(m.address)}
          >
            {t('group.promote')}
          </button>
        )}
        {iAmAdmin && m.role === 'admin' && (!self || admins > 1) && (
          <button
            type="button"
            class="small secondary"
            disabled={a.busy}
            aria-label={self ? undefined : t('group.demoteWho', { name })}
            onClick={() => a.demote(m.address)}
          >
            {t(self ? 'group.stepDown' : 'group.demote')}
          </button>
        )}
        {iAmAdmin && !self && !ban.mine && (
          <button
            type="button"
            class="small danger"
            disabled={a.busy}
            aria-label={t('group.voteBanWho', { name })}
            onClick={() => a.voteBan(m.address, name)}
          >
            {t('group.voteBan')}
          </button>
        )}
        {iAmAdmin && !self && ban.mine && (
          <button
            type="button"
            class="small secondary"
            disabled={a.busy}
            aria-label={t('group.unvoteWho', { name })}
            onClick={() => a.unvote(m.address)}
          >
            {t('group.unvote')}
          </button>
        )}
        {canRemove && (
          <button
            type="button"
            class="small danger"
            disabled={a.busy}
            aria-label={t('group.removeWho', { name })}
            onClick={() => a.remove(name)}
          >
            {t('group.remove')}
          </button>
        )}
      </span>
      {iAmAdmin && !self && m.devices.length > 1 && (
        <DeviceVotes m={m} g={g} me={me} name={name} actions={a} />
      )}
    </li>
  );
}

/** A member's devices, each with its own vote (a lost or stolen device, the person stays). */
function DeviceVotes({
  m,
  g,
  me,
  name,
  actions: a,
}: {
  m: MemberView;
  g: GovernanceView;
  me: string;
  name: string;
  actions: MemberActions;
}) {
  return (
    <ul class="member-devices" aria-label={t('group.devicesOf', { name })}>
      {m.devices.map((id) => {
        const target = `${m.address}/${id}`;
        const v = tally(g, target, 'ban', me);
        const label = t('group.deviceOf', { name, id });
        return (
          <li key={id}>
            <span>
              <code>{id}</code>
              {v.voted > 0 && (
                <span class="hint votes">
                  {tn('group.banVotes', v.voted, { total: v.eligible, needed: v.needed })}
                </span>
              )}
            </span>
            {v.mine ? (
              <button
                type="button"
                class="small secondary"
                disabled={a.busy}
                aria-label={t('group.unvoteWho', { name: label })}
                onClick={() => a.unvote(target)}
              >
                {t('group.unvote')}
              </button>
            ) : (
              <button
                type="button"
                class="small danger"
                disabled={a.busy}
                aria-label={t('group.voteBanDeviceWho', { name, id })}
                onClick={() => a.voteBan(target, label)}
              >
                {t('group.voteBan')}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
