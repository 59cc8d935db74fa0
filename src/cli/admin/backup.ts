/**
 * `foyer backup --out FILE`: a consistent, encrypted snapshot of the data folder, taken
 * while the server runs and keeps serving. `foyer restore FILE`: back into an empty folder.
 */
import { resolve } from 'node:path';
import { writeBackup } from '../../server/backup/snapshot.ts';
import { restoreBackup } from '../../server/backup/restore.ts';
import { dataLayout } from '../../server/storage/layout.ts';
import { checkNewPassphrase } from '../../server/storage/dataKey.ts';
import { wrapDataKey } from '../../server/storage/wrappedKey.ts';
import { dataFolderInUse } from '../../server/storage/dataLock.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { parseCommand, UsageError } from './args.ts';
import type { Io } from './io.ts';
import { EXIT } from '../errors.ts';
import { configFor, openExisting } from './open.ts';
import { USAGE } from './help.ts';
import { promptHidden } from '../terminal.ts';

/** The backup passphrase's own variable: a third secret, neither the data's nor the client's. */
export const BACKUP_PASSPHRASE_ENV = 'FOYER_BACKUP_PASSPHRASE';

async function newBackupPassphrase(io: Io): Promise<string> {
  const fromEnv = io.env[BACKUP_PASSPHRASE_ENV];
  const chosen =
    fromEnv ??
    (await (async () => {
      const first = await promptHidden('Backup passphrase: ');
      if ((await promptHidden('Repeat it: ')) !== first)
        throw new UsageError('the two passphrases differ');
      return first;
    })());
  checkNewPassphrase(chosen);
  return chosen;
}

/** The data key, read back from the open database's folder (never printed). */
async function dataKeyOf(io: Io, configArgv: readonly string[]): Promise<Uint8Array> {
  const { loadDataKey } = await import('../../server/storage/dataKey.ts');
  const { unlockPassphrase } = await import('./passphrase.ts');
  const config = configFor(io, configArgv);
  return loadDataKey({
    layout: dataLayout(config.dataDir),
    passphrase: await unlockPassphrase(config, (t) => io.err(t)),
    dbExists: true,
  });
}

export async function backupCommand(io: Io, argv: readonly string[]): Promise<number> {
  const { values, configArgv } = parseCommand(argv, {
    out: { type: 'string' },
    'with-passphrase': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    io.out(USAGE.backup ?? '');
    return EXIT.ok;
  }
  if (typeof values.out !== 'string') throw new UsageError('--out FILE is required');
  const out = resolve(io.cwd, values.out);
  const config = configFor(io, configArgv);
  const backupWrappedKey =
    values['with-passphrase'] === true
      ? wrapDataKey(await dataKeyOf(io, configArgv), await newBackupPassphrase(io))
      : undefined;
  const db = await openExisting(config, (t) => io.err(t));
  let header;
  try {
    header = writeBackup({
      db,
      layout: dataLayout(config.dataDir),
      out,
      ...(backupWrappedKey === undefined ? {} : { backupWrappedKey }),
    });
  } catch (err) {
    if ((err as Error).message.endsWith('already exists'))
      throw new FoyerError('usage', `${out} already exists: choose a new file name`);
    throw err;
  } finally {
    db.close();
  }
  if (values.json === true) {
    io.out(
      JSON.stringify({ file: out, bytes: header.snapshotBytes, protection: header.protection }),
    );
    return EXIT.ok;
  }
  io.out(`Backup written to ${out} (${header.snapshotBytes} bytes of encrypted database).`);
  io.out(
    header.protection === 'passphrase'
      ? 'It opens with the backup passphrase alone: keep that passphrase safe.'
      : header.folderKeyMode === 'passphrase'
        ? "It opens with this folder's passphrase (FOYER_DATA_PASSPHRASE)."
        : "It opens only with this folder's key file foyer.key: keep a copy of the key elsewhere,\n" +
          'or use --with-passphrase for a backup that a passphrase alone opens.',
  );
  return EXIT.ok;
}

export async function restoreCommand(io: Io, argv: readonly string[]): Promise<number> {
  const { values, positionals, configArgv } = parseCommand(
    argv,
    { key: { type: 'string' }, json: { type: 'boolean' } },
    { positionals: 1 },
  );
  if (values.help === true) {
    io.out(USAGE.restore ?? '');
    return EXIT.ok;
  }
  const file = positionals[0];
  if (file === undefined) throw new UsageError('which backup file? foyer restore FILE');
  const config = configFor(io, configArgv);
  const layout = dataLayout(config.dataDir);
  if (dataFolderInUse(layout)) {
    throw new FoyerError('in_use', `a server is running on ${layout.dir}: stop it first`);
  }
  const { readBackupHeader } = await import('../../server/backup/restore.ts');
  const { header } = readBackupHeader(resolve(io.cwd, file));
  const backupPassphrase =
    header.protection === 'passphrase'
      ? (io.env[BACKUP_PASSPHRASE_ENV] ?? (await promptHidden('Backup passphrase: ')))
      : undefined;
  const restored = restoreBackup({
    file: resolve(io.cwd, file),
    dataDir: layout.dir,
    keyFile: typeof values.key === 'string' ? resolve(io.cwd, values.key) : undefined,
    backupPassphrase,
    dataPassphrase: config.passphrase ?? config.legacyPassphrase,
  });
  if (values.json === true) {
    io.out(
      JSON.stringify({
        dataDir: layout.dir,
        createdAt: restored.header.createdAt,
        keyMode: restored.keyMode,
      }),
    );
    return EXIT.ok;
  }
  io.out(
    `Restored the backup of ${new Date(restored.header.createdAt).toISOString()} into ${layout.dir}.`,
  );
  if (header.protection === 'passphrase') {
    io.out('The data key is now in the key file foyer.key: back it up, or run "foyer key wrap".');
  }
  io.out('Start the server with "foyer start"; devices reconnect without registering again.');
  io.out('Messages sent after the backup was taken are not in it.');
  return EXIT.ok;
}
