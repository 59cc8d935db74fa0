/** Who may add members and edit the profile: admins only, or every member (admins decide). */
import { useState } from 'preact/hooks';
import type { GovernanceView } from '../../lib/engine.ts';
import { t } from '../../i18n/index.ts';

type Allowed = 'admins' | 'members';

export function Permissions({
  g,
  busy,
  save,
}: {
  g: GovernanceView;
  busy: boolean;
  save: (addMembers: Allowed, editProfile: Allowed) => void;
}) {
  const [add, setAdd] = useState<Allowed>(g.addMembers ?? 'admins');
  const [edit, setEdit] = useState<Allowed>(g.editProfile ?? 'admins');
  const changed = add !== g.addMembers || edit !== g.editProfile;
  return (
    <form
      class="inline-form permissions"
      onSubmit={(e) => {
        e.preventDefault();
        save(add, edit);
      }}
    >
      <label class="select">
        <span>{t('group.whoAdds')}</span>
        <select value={add} onChange={(e) => setAdd(e.currentTarget.value as Allowed)}>
          <option value="admins">{t('group.allowedAdmins')}</option>
          <option value="members">{t('group.allowedMembers')}</option>
        </select>
      </label>
      <label class="select">
        <span>{t('group.whoEdits')}</span>
        <select value={edit} onChange={(e) => setEdit(e.currentTarget.value as Allowed)}>
          <option value="admins">{t('group.allowedAdmins')}</option>
          <option value="members">{t('group.allowedMembers')}</option>
        </select>
      </label>
      <button type="submit" class="secondary" disabled={busy || !changed}>
        {t('group.savePermissions')}
      </button>
    </form>
  );
}
