/**
 * Getting the passphrase: from FOYER_PASSPHRASE (already in the config), or typed at the
 * terminal without echo. Never from a flag (the process list is public).
 */
import { dataLayout } from '../../server/storage/layout.ts';
import { keyMode } from '../../server/storage/dataKey.ts';
import type { Config } from '../../server/config.ts';
import { UsageError } from './args.ts';
import { promptHidden } from '../terminal.ts';

/**
 * The passphrase to unlock an existing folder: the configured one, else — when the folder
 * is in passphrase mode and a terminal is attached — typed by the operator.
 */
export async function unlockPassphrase(config: Config): Promise<string | undefined> {
  if (config.passphrase !== undefined) return config.passphrase;
  if (keyMode(dataLayout(config.dataDir)) !== 'passphrase' || !process.stdin.isTTY)
    return undefined;
  return promptHidden('Passphrase for the Foyer data key: ');
}

/** A new passphrase: FOYER_PASSPHRASE, or typed twice. */
export async function newPassphrase(config: Config): Promise<string> {
  if (config.passphrase !== undefined) return config.passphrase;
  const first = await promptHidden('New passphrase: ');
  const second = await promptHidden('Repeat it: ');
  if (first !== second) throw new UsageError('the two passphrases differ');
  return first;
}
