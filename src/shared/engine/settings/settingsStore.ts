/**
 * The account settings as this device holds them (settingsModel.ts), with a flag saying that
 * they changed here (or merged into more than a received snapshot) and must be sent to the
 * user's other devices. Written in the same store write as the change that calls for it.
 */
import { FoyerError } from '../../protocol/errors.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import { rec } from '../store/model.ts';
import {
  emptySettings,
  parseSettings,
  withinBounds,
  type AccountSettings,
} from './settingsModel.ts';

interface SettingsRecord {
  v: 1;
  settings: AccountSettings;
  /** True until a snapshot with these settings is queued in the account channel. */
  unsent: boolean;
}

type Reader = Pick<StoreTx, 'getRecord'>;

async function readRecord(r: Reader): Promise<SettingsRecord> {
  const stored = await r.getRecord<SettingsRecord>(rec.settings, 'settings', 1);
  if (stored === undefined) return { v: 1, settings: emptySettings(), unsent: false };
  const settings = parseSettings(stored.settings);
  if (settings === undefined) {
    throw new FoyerError('corrupt_store', 'the stored account settings are malformed');
  }
  return { v: 1, settings, unsent: stored.unsent === true };
}

/** The account settings this device holds. */
export async function readSettings(r: Reader): Promise<AccountSettings> {
  return (await readRecord(r)).settings;
}

/** True when the settings must still be sent to the user's other devices. */
export async function settingsUnsent(r: Reader): Promise<boolean> {
  return (await readRecord(r)).unsent;
}

/**
 * Stores `settings` (`unsent`: they must be sent to the other devices).
 * @throws FoyerError limit_reached when they exceed what a snapshot may hold
 */
export function putSettings(tx: StoreTx, settings: AccountSettings, unsent: boolean): void {
  if (!withinBounds(settings)) {
    throw new FoyerError(
      'limit_reached',
      'the account settings are full (too many removed conversations or blocked people)',
    );
  }
  const record: SettingsRecord = { v: 1, settings, unsent };
  tx.putRecord(rec.settings, record);
}

/** Applies a local change to the stored settings, marked to be sent. @returns the new ones */
export async function changeSettings(
  tx: StoreTx,
  change: (s: AccountSettings) => AccountSettings,
): Promise<AccountSettings> {
  const next = change(await readSettings(tx));
  putSettings(tx, next, true);
  return next;
}
