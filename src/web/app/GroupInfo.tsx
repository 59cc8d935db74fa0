/** A group's members and their devices; add, remove, leave. */
import { useEffect, useState } from 'preact/hooks';
import type { Live } from '../engine/live.ts';
import { t, tn } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { Avatar } from './Avatar.tsx';
import { MemberChecklist } from './MemberChecklist.tsx';
import { go } from './nav.ts';
import { Panel } from './Panel.tsx';
import { useMembers } from './useMembers.ts';
import { shortName } from '../lib/addresses.ts';

export function GroupInfo({ live: l, id }: { live: Live; id: string }) {
  const conv = l.conversations.value.find((c) => c.id === id);
  const { members: everyone } = useMembers(l);
  const [devices, setDevices] = useState<Readonly<Record<string, number>>>({});
  const [adding, setAdding] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const names = (conv?.members ?? []).map((a) => shortName(a, l.me.domain));
  const memberKey = names.join(',');
  useEffect(() => {
    let on = true;
    for (const name of names) {
      l.transport.user(name).then(
        (info) => on && setDevices((d) => ({ ...d, [name]: info.devices.length })),
        (err: unknown) => on && l.report(err),
      );
    }
    return () => {
      on = false;
    };
  }, [memberKey]);
  if (conv === undefined) return <Panel title={t('group.title')}>{t('chat.gone')}</Panel>;

  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setFailure(undefined);
    try {
      await fn();
      await l.refreshConversations();
    } catch (err) {
      setFailure(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const others = (everyone ?? []).filter((m) => !names.includes(m.name));
  // Left or removed: the members as last known, nothing to change any more.
  const active = conv.status === 'active';
  return (
    <Panel title={conv.title ?? t('group.title')} back={{ name: 'chat', id }}>
      <h2>{tn('list.members', names.length)}</h2>
      <ul class="member-list">
        {names.map((name) => (
          <li key={name}>
            <Avatar name={name} />
            <span class="member-name">
              {name === l.me.user ? t('group.you', { name }) : name}
              <span class="hint">
                {devices[name] === undefined ? '' : tn('group.devices', devices[name])}
              </span>
            </span>
            {name !== l.me.user && active && (
              <span class="row-actions">
                <button
                  type="button"
                  class="small secondary"
                  onClick={() => go({ name: 'safety', user: name, back: id })}
                >
                  {t('chat.safety')}
                </button>
                <button
                  type="button"
                  class="small danger"
                  disabled={busy}
                  aria-label={t('group.removeWho', { name })}
                  onClick={() => void act(() => l.engine.removeMembers(id, [name]))}
                >
                  {t('group.remove')}
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {active && others.length > 0 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (adding.size === 0) return;
            void act(async () => {
              await l.engine.addMembers(id, [...adding]);
              setAdding(new Set());
            });
          }}
        >
          <MemberChecklist
            members={others}
            chosen={adding}
            legend={t('group.addLegend')}
            onToggle={(name) => {
              const next = new Set(adding);
              if (!next.delete(name)) next.add(name);
              setAdding(next);
            }}
          />
          <button type="submit" disabled={busy || adding.size === 0}>
            {t('group.add')}
          </button>
        </form>
      )}
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      {active && <LeaveSection busy={busy} act={act} live={l} id={id} />}
    </Panel>
  );
}

function LeaveSection({
  live: l,
  id,
  busy,
  act,
}: {
  live: Live;
  id: string;
  busy: boolean;
  act: (fn: () => Promise<unknown>) => Promise<void>;
}) {
  return (
    <>
      <h2>{t('group.leaveTitle')}</h2>
      <p class="hint">{t('group.leaveHint')}</p>
      <button
        type="button"
        class="danger"
        disabled={busy}
        onClick={() => {
          if (!confirm(t('group.leaveConfirm'))) return;
          void act(async () => {
            await l.engine.leave(id);
            // The conversation stays, readable and marked as left.
            go({ name: 'chat', id });
          });
        }}
      >
        {t('group.leave')}
      </button>
    </>
  );
}
