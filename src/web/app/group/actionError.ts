/**
 * Words for a refused group action. The group rules name why (`details.rule` of
 * `forbidden_by_policy`, from this device's own check or from the hub's): the common rules get
 * their own sentence, anything else the general one.
 */
import { t, type MessageKey } from '../../i18n/index.ts';
import { errorText } from '../../i18n/errors.ts';

const RULES: Readonly<Record<string, MessageKey>> = {
  admin_only: 'policy.admin_only',
  last_admin: 'policy.last_admin',
  remove_forbidden: 'policy.remove_forbidden',
  add_forbidden: 'policy.add_forbidden',
  banned: 'policy.banned',
  self_ban: 'policy.self_ban',
  profile: 'policy.profile',
  not_member: 'policy.not_member',
};

export function actionErrorText(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && 'details' in err) {
    const details = err.details;
    const rule =
      typeof details === 'object' && details !== null && 'rule' in details
        ? details.rule
        : undefined;
    const reason =
      typeof details === 'object' && details !== null && 'reason' in details
        ? details.reason
        : undefined;
    if (err.code === 'forbidden' && reason === 'blocked') return t('contact.isBlocked');
    if (err.code === 'forbidden_by_policy' && typeof rule === 'string') {
      const key = RULES[rule];
      if (key !== undefined) return t(key);
    }
  }
  return errorText(err);
}
