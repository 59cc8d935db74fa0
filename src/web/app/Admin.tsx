/** The admin page: invites (create with a link and QR, list, revoke) and accounts (list, remove). */
import { useEffect, useState } from 'preact/hooks';
import type { CreatedInvite, InviteSummary, UserSummary } from '../engine/api.ts';
import type { Live } from '../engine/live.ts';
import { formatDay, t, tn } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { QrCode } from '../components/QrCode.tsx';
import { Panel } from './Panel.tsx';

export function Admin({ live: l }: { live: Live }) {
  const [invites, setInvites] = useState<InviteSummary[] | null>(null);
  const [users, setUsers] = useState<UserSummary[] | null>(null);
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const [asAdmin, setAsAdmin] = useState(false);
  const [days, setDays] = useState(7);
  const [copied, setCopied] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const load = (): void => {
    l.api.invites().then(setInvites, (err: unknown) => setFailure(errorText(err)));
    l.api.users().then(setUsers, (err: unknown) => setFailure(errorText(err)));
  };
  useEffect(load, []);
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setFailure(undefined);
    try {
      await fn();
      load();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  // The link points at this very origin, which is where the person is reaching Foyer.
  const link = created === null ? '' : `${location.origin}/join#${created.code}`;
  return (
    <Panel title={t('admin.title')}>
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      <h2>{t('admin.invites')}</h2>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            setCopied(false);
            setCreated(await l.api.createInvite(asAdmin, days));
          });
        }}
      >
        <label class="check">
          <input
            type="checkbox"
            checked={asAdmin}
            onChange={(e) => setAsAdmin(e.currentTarget.checked)}
          />
          <span>{t('admin.asAdmin')}</span>
        </label>
        <label class="select">
          <span>{t('admin.validFor')}</span>
          <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {[1, 7, 30].map((d) => (
              <option value={String(d)} key={d}>
                {tn('admin.days', d)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('admin.create')}</button>
      </form>
      {created !== null && (
        <div class="invite-made" role="status">
          <p>{t('admin.created')}</p>
          <label class="visually-hidden" for="invite-link">
            {t('admin.link')}
          </label>
          <input
            id="invite-link"
            class="link-field"
            readOnly
            value={link}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button
            type="button"
            class="secondary"
            onClick={() =>
              void navigator.clipboard.writeText(link).then(
                () => setCopied(true),
                (err: unknown) => setFailure(errorText(err)),
              )
            }
          >
            {copied ? t('admin.copied') : t('admin.copy')}
          </button>
          <QrCode value={link} label={t('admin.qrLabel')} />
          <p class="hint">{t('admin.once')}</p>
        </div>
      )}
      <ul class="invite-list" aria-label={t('admin.inviteList')}>
        {(invites ?? []).map((i) => (
          <li key={i.id}>
            <span>
              {i.admin ? t('admin.inviteAdmin') : t('admin.invite')} #{i.id}
              <span class="hint">
                {i.usedAt !== null
                  ? t('admin.used', { date: formatDay(i.usedAt) })
                  : t('admin.expires', { date: formatDay(i.expiresAt) })}
              </span>
            </span>
            {i.usedAt === null && (
              <button
                type="button"
                class="small danger"
                aria-label={t('admin.revokeInvite', { id: i.id })}
                onClick={() => void act(() => l.api.revokeInvite(i.id))}
              >
                {t('admin.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <h2>{t('admin.users')}</h2>
      <ul class="user-list" aria-label={t('admin.users')}>
        {(users ?? []).map((u) => (
          <li key={u.name}>
            <span>
              {u.name}
              {u.admin && <span class="tag">{t('admin.adminTag')}</span>}
              <span class="hint">{tn('group.devices', u.devices)}</span>
            </span>
            {u.name !== l.me.user && (
              <button
                type="button"
                class="small danger"
                aria-label={t('admin.removeWho', { name: u.name })}
                onClick={() => {
                  if (!confirm(t('admin.removeConfirm', { name: u.name }))) return;
                  void act(() => l.api.removeUser(u.name));
                }}
              >
                {t('admin.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
