/**
 * The group profile (picture, name, description) and, for those the group allows, its editor.
 * What shows is always the conversation's profile as the engine holds it: after two edits
 * race, it is the one the group kept (the hub's order), not what this form last sent.
 */
import { useId, useState } from 'preact/hooks';
import type { ConversationView, GovernanceView } from '../../lib/engine.ts';
import type { Live } from '../../engine/live.ts';
import { t } from '../../i18n/index.ts';
import { Field } from '../../components/Field.tsx';
import { Avatar } from '../Avatar.tsx';
import { conversationTitle } from '../names.ts';
import { actionErrorText } from './actionError.ts';
import { pictureBytes, pictureSrc, pictureText, resizePicture } from './picture.ts';
import { isAdmin } from './votes.ts';

const MAX_TITLE = 200;
const MAX_DESCRIPTION = 2000;

export function ProfileSection({
  live: l,
  conv,
  g,
}: {
  live: Live;
  conv: ConversationView;
  g: GovernanceView | null;
}) {
  const [editing, setEditing] = useState(false);
  const title = conversationTitle(conv, l.me);
  const mayEdit =
    g !== null &&
    g.governed &&
    (g.editProfile === 'members' || isAdmin(g, l.me.address)) &&
    conv.status === 'active';
  return (
    <section class="profile" aria-labelledby="profile-heading">
      <h2 id="profile-heading" class="visually-hidden">
        {t('profile.heading')}
      </h2>
      <div class="profile-show">
        <Avatar name={title} group picture={conv.profile?.picture ?? null} large />
        <div>
          <p class="profile-title" dir="auto">
            {title}
          </p>
          <p class="profile-description" dir="auto">
            {conv.profile?.description || t('profile.noDescription')}
          </p>
        </div>
      </div>
      {mayEdit && !editing && (
        <button type="button" class="secondary" onClick={() => setEditing(true)}>
          {t('profile.edit')}
        </button>
      )}
      {g !== null && g.governed && !mayEdit && conv.status === 'active' && (
        <p class="hint">{t('profile.onlyAdmins')}</p>
      )}
      {mayEdit && editing && (
        <ProfileEditor live={l} conv={conv} title={title} done={() => setEditing(false)} />
      )}
    </section>
  );
}

function ProfileEditor({
  live: l,
  conv,
  title: initialTitle,
  done,
}: {
  live: Live;
  conv: ConversationView;
  title: string;
  done: () => void;
}) {
  const id = useId();
  const [title, setTitle] = useState(initialTitle);
  const [description, setDescription] = useState(conv.profile?.description ?? '');
  const [picture, setPicture] = useState<string | null>(conv.profile?.picture ?? null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const preview = pictureSrc(picture);

  const choose = async (file: File | undefined): Promise<void> => {
    if (file === undefined) return;
    setFailure(undefined);
    try {
      setPicture(pictureText(await resizePicture(file)));
    } catch {
      // The browser could not decode it (or not small enough): say so, keep the old one.
      setFailure(t('profile.badPicture'));
    }
  };
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      await l.engine.setProfile(conv.id, {
        title: title.trim(),
        description: description.trim(),
        picture: picture === null ? null : pictureBytes(picture),
      });
      await l.refreshConversations();
      done();
    } catch (err) {
      setFailure(actionErrorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="profile-editor" onSubmit={(e) => void save(e)} aria-busy={busy}>
      <Field
        label={t('profile.name')}
        value={title}
        onInput={setTitle}
        required
        maxLength={MAX_TITLE}
        autoFocus
      />
      <div class="field">
        <label for={`${id}-description`}>{t('profile.description')}</label>
        <textarea
          id={`${id}-description`}
          rows={3}
          maxLength={MAX_DESCRIPTION}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for={`${id}-picture`}>{t('profile.picture')}</label>
        <div class="picture-pick">
          {preview !== null && (
            <img class="picture-preview" src={preview} alt={t('profile.pictureAlt')} />
          )}
          <input
            id={`${id}-picture`}
            type="file"
            accept="image/*"
            aria-describedby={`${id}-picture-hint`}
            onChange={(e) => void choose(e.currentTarget.files?.[0])}
          />
        </div>
        <p class="hint" id={`${id}-picture-hint`}>
          {t('profile.pictureHint')}
        </p>
        {picture !== null && (
          <button type="button" class="small secondary" onClick={() => setPicture(null)}>
            {t('profile.removePicture')}
          </button>
        )}
      </div>
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={busy || title.trim().length === 0}>
          {t('profile.save')}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={done}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
