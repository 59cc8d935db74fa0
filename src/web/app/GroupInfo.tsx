/**
 * A group's members screen: its profile, the members with their roles and devices, the votes
 * to ban and the banned list; adding, removing and leaving. Every button shown is one the
 * group's rules allow this person (docs/groups.md); the engine and the hub check again.
 */
import { useState } from 'preact/hooks';
import type { Live } from '../engine/live.ts';
import { t, tn } from '../i18n/index.ts';
import { Avatar } from './Avatar.tsx';
import { MemberChecklist } from './MemberChecklist.tsx';
import { go } from './nav.ts';
import { Panel } from './Panel.tsx';
import { useMembers } from './useMembers.ts';
import { shortName } from '../lib/addresses.ts';
import { conversationTitle } from './names.ts';
import { actionErrorText } from './group/actionError.ts';
import { BannedList } from './group/BannedList.tsx';
import { MemberRow, type MemberActions } from './group/MemberRow.tsx';
import { Permissions } from './group/Permissions.tsx';
import { ProfileSection } from './group/ProfileSection.tsx';
import { useGovernance } from './group/useGovernance.ts';
import { isAdmin, isLastAdmin } from './group/votes.ts';

/** A ban target (`user@domain` or `user@domain/deviceId`) as the engine's request wants it. */
function split(target: string): { person: string; deviceId?: string } {
  const slash = target.indexOf('/');
  return slash < 0
    ? { person: target }
    : { person: target.slice(0, slash), deviceId: target.slice(slash + 1) };
}

export function GroupInfo({ live: l, id }: { live: Live; id: string }) {
  const conv = l.conversations.value.find((c) => c.id === id);
  const { members: everyone } = useMembers(l);
  const [g, setG] = useGovernance(l, conv);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const [adding, setAdding] = useState<ReadonlySet<string>>(new Set());
  if (conv === undefined) return <Panel title={t('group.title')}>{t('chat.gone')}</Panel>;

  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setFailure(undefined);
    try {
      await fn();
      await l.refreshConversations();
    } catch (err) {
      setFailure(actionErrorText(err));
    } finally {
      setBusy(false);
    }
  };
  const govern = (request: Parameters<Live['engine']['govern']>[1]): void =>
    void act(async () => setG(await l.engine.govern(id, request)));
  const actions: MemberActions = {
    busy,
    promote: (address) => govern({ op: 'promote', person: address }),
    demote: (address) => govern({ op: 'demote', person: address }),
    voteBan: (target, name) => {
      if (confirm(t('group.confirmVoteBan', { name })))
        govern({ op: 'vote-ban', ...split(target) });
    },
    unvote: (target) => govern({ op: 'unvote', ...split(target) }),
    remove: (name) => void act(() => l.engine.removeMembers(id, [name])),
  };
  const names = conv.members.map((a) => shortName(a, l.me.domain));
  // The banned cannot be added back (the group refuses it) until a vote lifts the ban.
  const banned = new Set((g?.bannedIdentities ?? []).map((a) => shortName(a, l.me.domain)));
  const others = (everyone ?? []).filter((m) => !names.includes(m.name) && !banned.has(m.name));
  // Left or removed: the members as last known, nothing to change any more.
  const active = conv.status === 'active';
  const governed = g?.governed === true;
  const iAmAdmin = g !== null && isAdmin(g, l.me.address);
  const mayAdd = active && (!governed || iAmAdmin || g?.addMembers === 'members');
  return (
    <Panel title={conversationTitle(conv, l.me)} back={{ name: 'chat', id }}>
      <ProfileSection live={l} conv={conv} g={g} />
      <h2>{tn('list.members', conv.members.length)}</h2>
      {governed && <p class="hint">{t(iAmAdmin ? 'group.rolesHint' : 'group.notAdmin')}</p>}
      {g === null ? (
        <StaticMembers names={names} me={l.me.user} />
      ) : (
        <ul class="member-list">
          {g.members.map((m) => (
            <MemberRow
              key={m.address}
              m={m}
              g={g}
              me={l.me.address}
              name={shortName(m.address, l.me.domain)}
              groupId={id}
              actions={actions}
            />
          ))}
        </ul>
      )}
      {g !== null && (
        <BannedList
          g={g}
          me={l.me.address}
          myDomain={l.me.domain}
          busy={busy}
          unban={(target) => govern({ op: 'unban', ...split(target) })}
          unvote={actions.unvote}
        />
      )}
      {g !== null && governed && iAmAdmin && active && (
        <>
          <h2>{t('group.permissionsTitle')}</h2>
          <Permissions
            key={`${g.addMembers ?? ''}-${g.editProfile ?? ''}`}
            g={g}
            busy={busy}
            save={(addMembers, editProfile) =>
              govern({ op: 'permissions', addMembers, editProfile })
            }
          />
        </>
      )}
      {mayAdd && others.length > 0 && (
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
      {active && (
        <LeaveSection
          busy={busy}
          act={act}
          live={l}
          id={id}
          lastAdmin={g !== null && isLastAdmin(g, l.me.address)}
        />
      )}
    </Panel>
  );
}

/** The members as last known, while loading or for a group this device is no longer in. */
function StaticMembers({ names, me }: { names: string[]; me: string }) {
  return (
    <ul class="member-list">
      {names.map((name) => (
        <li key={name}>
          <Avatar name={name} />
          <span class="member-name">{name === me ? t('group.you', { name }) : name}</span>
        </li>
      ))}
    </ul>
  );
}

function LeaveSection({
  live: l,
  id,
  busy,
  act,
  lastAdmin,
}: {
  live: Live;
  id: string;
  busy: boolean;
  act: (fn: () => Promise<unknown>) => Promise<void>;
  lastAdmin: boolean;
}) {
  return (
    <>
      <h2>{t('group.leaveTitle')}</h2>
      <p class="hint" id="leave-hint">
        {t(lastAdmin ? 'group.lastAdmin' : 'group.leaveHint')}
      </p>
      <button
        type="button"
        class="danger"
        disabled={busy || lastAdmin}
        aria-describedby="leave-hint"
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
