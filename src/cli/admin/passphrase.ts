/**
 * Getting the data key's passphrase: from FOYER_DATA_PASSPHRASE (already in the config), or
 * typed at the terminal without echo. Never from a flag (the process list is public).
 * FOYER_PASSPHRASE is the client's: the admin side reads it only to open a folder that is
 * already in passphrase mode (its name before the split), with a warning — never to choose
 * passphrase mode for a new folder, and never against a key-file folder.
 */
import { dataLayout } from '../../server/storage/layout.ts';
import { keyMode } from '../../server/storage/dataKey.ts';
import { DATA_PASSPHRASE_ENV, LEGACY_PASSPHRASE_ENV, type Config } from '../../server/config.ts';
import { UsageError } from './args.ts';
import { promptHidden } from '../terminal.ts';

/** Where the passphrase that unlocked the folder came from, for `foyer start` to say. */
export type PassphraseSource = 'env' | 'legacy-env' | 'terminal' | 'none';

export interface Unlock {
  passphrase: string | undefined;
  source: PassphraseSource;
}

/**
 * The passphrase to unlock a folder: the configured one, else FOYER_PASSPHRASE for a folder in
 * passphrase mode (with `warn`), else — in passphrase mode with a terminal — typed.
 */
export async function unlockWith(
  config: Config,
  warn: (text: string) => void = () => undefined,
): Promise<Unlock> {
  if (config.passphrase !== undefined) return { passphrase: config.passphrase, source: 'env' };
  if (keyMode(dataLayout(config.dataDir)) !== 'passphrase') {
    return { passphrase: undefined, source: 'none' };
  }
  if (config.legacyPassphrase !== undefined) {
    warn(
      `foyer: warning: reading the data key's passphrase from ${LEGACY_PASSPHRASE_ENV}, which is ` +
        `now the client's; set ${DATA_PASSPHRASE_ENV} instead`,
    );
    return { passphrase: config.legacyPassphrase, source: 'legacy-env' };
  }
  if (!process.stdin.isTTY) return { passphrase: undefined, source: 'none' };
  return {
    passphrase: await promptHidden('Passphrase for the Foyer data key: '),
    source: 'terminal',
  };
}

/** {@link unlockWith}, the passphrase only. */
export async function unlockPassphrase(
  config: Config,
  warn?: (text: string) => void,
): Promise<string | undefined> {
  return (await unlockWith(config, warn)).passphrase;
}

/** A new passphrase: FOYER_DATA_PASSPHRASE, or typed twice. */
export async function newPassphrase(config: Config): Promise<string> {
  if (config.passphrase !== undefined) return config.passphrase;
  const first = await promptHidden('New passphrase: ');
  const second = await promptHidden('Repeat it: ');
  if (first !== second) throw new UsageError('the two passphrases differ');
  return first;
}
