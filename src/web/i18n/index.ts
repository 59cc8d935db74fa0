/**
 * Translations: typed dictionaries (French and English), the locale in a signal, and
 * `Intl.PluralRules` for counts. English is the reference: the French dictionary must have
 * every key (the type checker says so). The chosen language is kept in localStorage; it is
 * not secret and must be known before the store is unlocked.
 */
import { signal } from '@preact/signals';
import { en, type Messages } from './en.ts';
import { fr } from './fr.ts';

export type Locale = 'en' | 'fr';
export type MessageKey = keyof Messages;

const dictionaries: Record<Locale, Messages> = { en, fr };
const STORAGE_KEY = 'foyer.locale';

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'fr') return saved;
  for (const lang of navigator.languages) {
    const base = lang.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

export const locale = signal<Locale>(initialLocale());

/** Switches the language (and remembers it for the next visit). */
export function setLocale(next: Locale): void {
  localStorage.setItem(STORAGE_KEY, next);
  locale.value = next;
}

/**
 * The text for `key` in the current language, with `{name}` placeholders filled. A key ending
 * in `_one`/`_other` is chosen from `count` with the language's plural rules.
 */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const dict = dictionaries[locale.value];
  return dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** A counted text: `base_one` or `base_other` by the language's plural rules. */
export function tn(
  base: string,
  count: number,
  params: Record<string, string | number> = {},
): string {
  const form = new Intl.PluralRules(locale.value).select(count) === 'one' ? 'one' : 'other';
  return t(`${base}_${form}` as MessageKey, { count, ...params });
}

/**
 * The browser's own tag when it speaks the chosen language (so en-GB keeps its 24-hour clock),
 * else the bare language.
 */
function formatLocale(): string {
  return navigator.languages.find((l) => l.toLowerCase().startsWith(locale.value)) ?? locale.value;
}

/** Dates and times in the current language. */
export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(formatLocale(), { hour: 'numeric', minute: '2-digit' }).format(ms);
}

export function formatDay(ms: number): string {
  return new Intl.DateTimeFormat(formatLocale(), {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(ms);
}
