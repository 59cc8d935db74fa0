/**
 * The running account, once unlocked. Only its type is imported here: the engine itself
 * arrives with the lazily loaded chunk.
 */
import { signal } from '@preact/signals';
import type * as LiveModule from '../engine/live.ts';
import type { Live } from '../engine/live.ts';
import { lockHooks, phase } from './boot.ts';
import { holdsEngineLock, releaseEngineLock } from './tabLock.ts';

export const live = signal<Live | null>(null);

/** The lazily loaded engine glue (one import for the whole app). */
export function loadLive(): Promise<typeof LiveModule> {
  return import('../engine/live.ts');
}

/** Enters the app with a started account. */
export function enter(l: Live): void {
  if (!holdsEngineLock()) {
    // Another tab took the account over while this one was unlocking: let it have the store.
    void l.close();
    phase.value = { name: 'elsewhere' };
    return;
  }
  live.value = l;
  phase.value = { name: 'ready' };
}

/** Closes the engine and asks for the passphrase again ("lock now"). */
export async function lockNow(): Promise<void> {
  const l = live.value;
  live.value = null;
  phase.value = { name: 'unlock' };
  await l?.close();
}

/** Another tab took the account over: stop touching the store. */
export async function lostToAnotherTab(): Promise<void> {
  const l = live.value;
  live.value = null;
  phase.value = { name: 'elsewhere' };
  await l?.close();
}

/** Closes the engine and lets another tab take the account. */
export async function closeAndRelease(): Promise<void> {
  const l = live.value;
  live.value = null;
  await l?.close();
  releaseEngineLock();
}

lockHooks.lost = () => void lostToAnotherTab();
