/** `foyer key wrap|unwrap`: switch between key file mode and passphrase mode. */
import { unwrapKeyFile, wrapKeyFile } from '../../server/storage/keyProtection.ts';
import { parseCommand, UsageError } from './args.ts';
import { EXIT } from '../errors.ts';
import type { Io } from './io.ts';
import { configFor } from './open.ts';
import { newPassphrase } from './passphrase.ts';
import { promptHidden } from '../terminal.ts';
import { USAGE } from './help.ts';

export async function keyCommand(io: Io, argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.err(USAGE.key ?? '');
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'wrap' && sub !== 'unwrap')
    throw new UsageError(`unknown key command "${sub}" (known: wrap, unwrap)`);
  const { values, configArgv } = parseCommand(rest, {});
  if (values.help === true) {
    io.out(USAGE.key ?? '');
    return EXIT.ok;
  }
  const config = configFor(io, configArgv);
  if (sub === 'wrap') {
    wrapKeyFile(config.dataDir, await newPassphrase(config));
    io.out(
      `The data key is now protected by the passphrase (${config.dataDir}/foyer.key.wrapped).`,
    );
    io.out('Start the server with FOYER_DATA_PASSPHRASE set, or type the passphrase when asked.');
    io.out(
      'Back up foyer.key.wrapped, and remember the passphrase: without both, the data is lost.',
    );
  } else {
    unwrapKeyFile(
      config.dataDir,
      config.passphrase ?? config.legacyPassphrase ?? (await promptHidden('Current passphrase: ')),
    );
    io.out(`The data key is now in the plain key file ${config.dataDir}/foyer.key (mode 0600).`);
    io.out('Unset FOYER_DATA_PASSPHRASE before starting the server, and back up foyer.key.');
  }
  return EXIT.ok;
}
