/** Where the person is inside the app (the conversation list stays beside it on wide screens). */
import { signal } from '@preact/signals';

export type View =
  | { name: 'home' }
  | { name: 'chat'; id: string }
  | { name: 'new-chat' }
  | { name: 'new-group' }
  | { name: 'group'; id: string }
  | { name: 'safety'; user: string; back: string | null }
  | { name: 'devices' }
  | { name: 'admin' }
  | { name: 'settings' };

export const view = signal<View>({ name: 'home' });

export function go(next: View): void {
  view.value = next;
}
