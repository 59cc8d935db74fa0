/** This account's devices: list, revoke, and approve a new one by its code. */
import { useEffect, useState } from 'preact/hooks';
import type { Live } from '../engine/live.ts';
import type { DeviceView } from '../lib/engine.ts';
import { formatDay, t } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { Field } from '../components/Field.tsx';
import { Loading } from '../components/Lazy.tsx';
import { Panel } from './Panel.tsx';

export function Devices({ live: l }: { live: Live }) {
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const load = (): void => {
    l.engine.devices().then(setDevices, (err: unknown) => setFailure(errorText(err)));
  };
  useEffect(load, []);
  const act = async (fn: () => Promise<string>): Promise<void> => {
    setBusy(true);
    setFailure(undefined);
    setStatus(undefined);
    try {
      setStatus(await fn());
      load();
    } catch (err) {
      setFailure(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const live = (devices ?? []).filter((d) => !d.revoked);
  return (
    <Panel title={t('devices.title')}>
      <p>{t('devices.intro')}</p>
      {devices === null && failure === undefined && <Loading />}
      <ul class="device-list">
        {live.map((d) => (
          <li key={d.id}>
            <span class="device-name">
              {d.current ? t('devices.thisOne') : t('devices.other')}
              <code class="hint">{d.id.slice(0, 8)}</code>
              <span class="hint">{t('devices.since', { date: formatDay(d.createdAt) })}</span>
            </span>
            {!d.current && (
              <button
                type="button"
                class="small danger"
                disabled={busy}
                aria-label={t('devices.revokeWhich', { id: d.id.slice(0, 8) })}
                onClick={() => {
                  if (!confirm(t('devices.revokeConfirm'))) return;
                  void act(async () => {
                    await l.engine.revokeDevice(d.id);
                    return t('devices.revoked');
                  });
                }}
              >
                {t('devices.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <h2>{t('devices.linkTitle')}</h2>
      <p class="hint">{t('devices.linkIntro')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const c = code.trim();
          if (c === '') return;
          void act(async () => {
            const r = await l.engine.approveLink(c, 60_000);
            setCode('');
            await l.refreshConversations();
            return r.pending ? t('devices.approvedPending') : t('devices.approved');
          });
        }}
        aria-busy={busy}
      >
        <Field label={t('devices.code')} value={code} onInput={setCode} autoComplete="off" />
        <button type="submit" disabled={busy || code.trim() === ''}>
          {busy ? t('devices.approving') : t('devices.approve')}
        </button>
      </form>
      {status && (
        <p class="verified" role="status">
          {status}
        </p>
      )}
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
    </Panel>
  );
}
