/** Where Foyer keeps its files inside the data folder. */
import { join, resolve } from 'node:path';

export interface DataLayout {
  readonly dir: string;
  /** The encrypted SQLite database (its WAL and shared-memory files sit beside it). */
  readonly db: string;
  /** The raw data key, mode 0600 (default mode). */
  readonly keyFile: string;
  /** The data key wrapped by a passphrase (passphrase mode). */
  readonly wrappedKeyFile: string;
  /** Optional configuration file read by loadConfig. */
  readonly configFile: string;
  /** Held by the running server (an OS file lock, see dataLock.ts). */
  readonly lockFile: string;
  /** Where the running server says where it listens and since when (see runState.ts). */
  readonly runFile: string;
}

/** Resolves every path of a data folder to an absolute path. */
export function dataLayout(dataDir: string): DataLayout {
  const dir = resolve(dataDir);
  return {
    dir,
    db: join(dir, 'foyer.db'),
    keyFile: join(dir, 'foyer.key'),
    wrappedKeyFile: join(dir, 'foyer.key.wrapped'),
    configFile: join(dir, 'foyer.json'),
    lockFile: join(dir, 'foyer.lock'),
    runFile: join(dir, 'foyer.run.json'),
  };
}
