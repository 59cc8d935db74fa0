/**
 * Message text, always as text: Preact escapes strings, and the only elements made here are
 * links, for http(s) addresses only, opened without referrer or opener.
 */
import type { ComponentChildren } from 'preact';

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Trailing punctuation is usually the sentence's, not the address's. */
const TRAILING = /[.,;:!?)\]]+$/;

export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function MessageText({ text }: { text: string }) {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const raw = m[0].replace(TRAILING, '');
    const start = m.index;
    const href = safeHref(raw);
    if (href === null) continue;
    if (start > last) parts.push(text.slice(last, start));
    parts.push(
      <a href={href} target="_blank" rel="noopener noreferrer">
        {raw}
      </a>,
    );
    last = start + raw.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return (
    <p class="msg-text" dir="auto">
      {parts}
    </p>
  );
}
