/** A pane with a title and a way back, for every view that is not a chat. */
import type { ComponentChildren } from 'preact';
import { t } from '../i18n/index.ts';
import { go, type View } from './nav.ts';

export function Panel({
  title,
  back = { name: 'home' },
  children,
}: {
  title: string;
  back?: View;
  children: ComponentChildren;
}) {
  return (
    <section class="panel" aria-labelledby="panel-title">
      <header class="panel-head">
        <button
          type="button"
          class="icon back"
          aria-label={t('common.back')}
          onClick={() => go(back)}
        >
          ‹
        </button>
        <h1 id="panel-title">{title}</h1>
      </header>
      <div class="panel-body">{children}</div>
    </section>
  );
}
