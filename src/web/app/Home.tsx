/** The pane when no conversation is open: what to do next. */
import type { Live } from '../engine/live.ts';
import { t } from '../i18n/index.ts';
import { Logo } from '../components/Logo.tsx';

export function Home({ live: l }: { live: Live }) {
  const none = l.conversations.value.length === 0;
  return (
    <section class="home" aria-labelledby="home-title">
      <Logo size={72} />
      <h1 id="home-title">{t('home.title', { name: l.me.user })}</h1>
      <p>{none ? t('home.firstHint') : t('home.pick')}</p>
      <p class="hint">{t('home.e2ee')}</p>
    </section>
  );
}
