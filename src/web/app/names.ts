/** How a conversation is named on screen. */
import type { ConversationView, WhoAmI } from '../lib/engine.ts';
import { shortName } from '../lib/addresses.ts';
import { t } from '../i18n/index.ts';

export function conversationTitle(c: ConversationView, me: WhoAmI): string {
  if (c.kind === 'direct') {
    const peer = c.peer ?? c.members.find((m) => m !== me.address);
    return peer === undefined ? t('chat.untitled') : shortName(peer, me.domain);
  }
  return c.title ?? t('chat.untitled');
}

/** Two letters for an avatar. */
export function initials(name: string): string {
  const parts = name.split(/[\s._-]+/).filter(Boolean);
  const a = parts[0]?.[0] ?? '?';
  const b = parts[1]?.[0] ?? parts[0]?.[1] ?? '';
  return (a + b).toUpperCase();
}

/** A stable hue for a name, so each person keeps their colour. */
export function hue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}
