/** The centred card of the screens shown before the app opens (join, unlock, explanations). */
import type { ComponentChildren } from 'preact';
import { Logo } from './Logo.tsx';

export function Card({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <main class="card-screen">
      <section class="card" aria-labelledby="card-title">
        <div class="card-brand">
          <Logo size={40} />
          <span class="brand-name">Foyer</span>
        </div>
        <h1 id="card-title">{title}</h1>
        {children}
      </section>
    </main>
  );
}
