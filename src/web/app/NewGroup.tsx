/** Creating a group: a name and the members. */
import { useState } from 'preact/hooks';
import type { Live } from '../engine/live.ts';
import { t } from '../i18n/index.ts';
import { errorText } from '../i18n/errors.ts';
import { Field } from '../components/Field.tsx';
import { Loading } from '../components/Lazy.tsx';
import { MemberChecklist } from './MemberChecklist.tsx';
import { go } from './nav.ts';
import { Panel } from './Panel.tsx';
import { useMembers } from './useMembers.ts';

export function NewGroup({ live: l }: { live: Live }) {
  const { members, error } = useMembers(l);
  const [title, setTitle] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const toggle = (name: string): void => {
    const next = new Set(chosen);
    if (!next.delete(name)) next.add(name);
    setChosen(next);
  };
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (title.trim() === '' || chosen.size === 0) {
      setFailure(t('newGroup.need'));
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      const conv = await l.engine.createGroup(title.trim(), [...chosen]);
      await l.refreshConversations();
      go({ name: 'chat', id: conv.id });
      await l.open(conv.id);
    } catch (err) {
      setFailure(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Panel title={t('newGroup.title')}>
      <form onSubmit={(e) => void submit(e)} aria-busy={busy}>
        <Field
          label={t('newGroup.name')}
          value={title}
          onInput={setTitle}
          required
          maxLength={80}
          autoFocus
        />
        {error !== null && (
          <p class="error" role="alert">
            {errorText(error)}
          </p>
        )}
        {members === null && error === null && <Loading />}
        {members !== null && (
          <MemberChecklist
            members={members}
            chosen={chosen}
            onToggle={toggle}
            legend={t('newGroup.members')}
          />
        )}
        {failure && (
          <p class="error" role="alert">
            {failure}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('newGroup.create')}
        </button>
      </form>
    </Panel>
  );
}
