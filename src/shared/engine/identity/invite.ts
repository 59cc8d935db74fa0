/** Reading what a person pastes as an invite: a bare code or the full invite link. */
import { FoyerError } from '../../protocol/errors.ts';

export const INVITE_CODE_RE = /^[A-Za-z0-9_-]{22}$/;

/**
 * Splits an invite into its code and, for a link (`https://host/join#CODE`), the server.
 * @throws FoyerError invite_invalid
 */
export function parseInvite(input: string): { code: string; server: string | undefined } {
  const text = input.trim();
  const hash = text.indexOf('#');
  if (hash >= 0 && /^https?:\/\//.test(text)) {
    const code = text.slice(hash + 1);
    if (!INVITE_CODE_RE.test(code))
      throw new FoyerError('invite_invalid', 'the invite link holds no valid code');
    return { code, server: text.slice(0, hash) };
  }
  if (!INVITE_CODE_RE.test(text))
    throw new FoyerError('invite_invalid', 'invite code is not valid');
  return { code: text, server: undefined };
}
