/**
 * What the first screen needs to decide what to show, without loading the engine: is the
 * page in a secure context, does another tab hold the account, is there an account here, and
 * did the person arrive through an invite link.
 */
import { signal } from '@preact/signals';
import { storeExists } from '../store/idbStorage.ts';
import { holdEngineLock } from './tabLock.ts';

export type Phase =
  | { name: 'loading' }
  | { name: 'insecure' }
  | { name: 'elsewhere' }
  | { name: 'welcome' }
  | { name: 'join'; invite: string }
  | { name: 'link' }
  | { name: 'unlock' }
  | { name: 'ready' };

export const phase = signal<Phase>({ name: 'loading' });

/** The invite code of a `/join#CODE` address, if this is one. */
export function inviteFromLocation(loc: Location = location): string | undefined {
  if (loc.pathname !== '/join') return undefined;
  const code = decodeURIComponent(loc.hash.replace(/^#/, ''));
  return code === '' ? undefined : code;
}

/** Set by session.ts: what to do when another tab takes the account over. */
export const lockHooks = { lost: (): void => void (phase.value = { name: 'elsewhere' }) };

function onLockLost(): void {
  lockHooks.lost();
}

/** Decides the first screen. */
export async function boot(): Promise<void> {
  if (!window.isSecureContext || crypto.subtle === undefined) {
    phase.value = { name: 'insecure' };
    return;
  }
  if (!(await holdEngineLock(onLockLost))) {
    phase.value = { name: 'elsewhere' };
    return;
  }
  await routeAfterLock();
}

// A new invite link opened in this tab while it shows the join or welcome screen.
window.addEventListener('hashchange', () => {
  const name = phase.value.name;
  const invite = inviteFromLocation();
  if ((name === 'join' || name === 'welcome') && invite !== undefined) {
    phase.value = { name: 'join', invite };
  }
});

/** With this tab holding the account: unlock, join or welcome. */
export async function routeAfterLock(): Promise<void> {
  if (await storeExists()) {
    phase.value = { name: 'unlock' };
    return;
  }
  const invite = inviteFromLocation();
  phase.value = invite === undefined ? { name: 'welcome' } : { name: 'join', invite };
}
