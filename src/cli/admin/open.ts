/** Opening the configured data folder from an admin command. */
import { loadConfig, type Config } from '../../server/config.ts';
import { openDatabase } from '../../server/storage/database.ts';
import type { Db } from '../../server/storage/sqlite.ts';
import type { Io } from './io.ts';
import { unlockPassphrase } from './passphrase.ts';

/** Loads the configuration from flags, environment and file. @throws ConfigError */
export function configFor(io: Io, configArgv: readonly string[]): Config {
  return loadConfig({ argv: configArgv, env: io.env, cwd: io.cwd });
}

/**
 * Opens an existing database (never creates one: only `foyer start` does).
 * @throws StorageError when it is missing or cannot be unlocked.
 */
export async function openExisting(
  config: Config,
  warn: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<Db> {
  return openDatabase({
    dataDir: config.dataDir,
    passphrase: await unlockPassphrase(config, warn),
    create: false,
    durability: config.durability,
  });
}
