/** A round badge with initials; its colour class is derived from the name. */
import { hue, initials } from './names.ts';

export function Avatar({ name, group = false }: { name: string; group?: boolean }) {
  // Twelve colour classes: CSP forbids inline styles, so the hue picks a class.
  const tone = Math.floor(hue(name) / 30);
  return (
    <span class={`avatar tone-${tone}${group ? ' group' : ''}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
