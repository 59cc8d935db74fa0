/**
 * `foyer`: the server and admin commands, and the client under `foyer client`.
 * bin/foyer.js runs the compiled copy; `node src/cli/main.ts …` runs the source.
 */
import { EXIT, reportError } from './errors.ts';
import { processIo, type Io } from './admin/io.ts';
import { USAGE } from './admin/help.ts';
import { UsageError } from './admin/args.ts';

type Command = (io: Io, argv: readonly string[]) => Promise<number>;

// Each command is loaded only when used, so `foyer invite create` starts fast.
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./admin/start.ts')).startCommand,
  invite: async () => (await import('./admin/invite.ts')).inviteCommand,
  status: async () => (await import('./admin/status.ts')).statusCommand,
  user: async () => (await import('./admin/user.ts')).userCommand,
  key: async () => (await import('./admin/key.ts')).keyCommand,
  federation: async () => (await import('./admin/federation.ts')).federationCommand,
  setup: async () => (await import('./admin/setup/setup.ts')).setupCommand,
  doctor: async () => (await import('./admin/doctor/doctor.ts')).doctorCommand,
  device: async () => (await import('./admin/manage.ts')).deviceCommand,
  storage: async () => (await import('./admin/manage.ts')).storageCommand,
  'install-service': async () => (await import('./admin/service.ts')).installServiceCommand,
  backup: async () => (await import('./admin/backup.ts')).backupCommand,
  restore: async () => (await import('./admin/backup.ts')).restoreCommand,
};

function help(io: Io, topic: string | undefined): number {
  if (topic === undefined) {
    io.out(USAGE.main ?? '');
    return EXIT.ok;
  }
  const text = USAGE[topic];
  if (text === undefined) {
    io.err(`foyer: no such command "${topic}"\n\n${USAGE.main ?? ''}`);
    return EXIT.usage;
  }
  io.out(text);
  return EXIT.ok;
}

/**
 * Runs one `foyer` command line and returns the process exit code: 0 done, 1 failed,
 * 2 called wrongly. Errors go to stderr, or as `{"error":{"code","message"}}` to stdout
 * when `--json` was asked for.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    if (name === undefined) {
      io.err(USAGE.main ?? '');
      return EXIT.usage;
    }
    if (name === 'help' || name === '--help' || name === '-h') return help(io, rest[0]);
    if (name === '--version' || name === '-V' || name === 'version') {
      const { FOYER_VERSION } = await import('../server/version.ts');
      io.out(json ? JSON.stringify({ version: FOYER_VERSION }) : `foyer ${FOYER_VERSION}`);
      return EXIT.ok;
    }
    if (name === 'client') {
      const { clientMain } = await import('./client/main.ts');
      return await clientMain(rest);
    }
    // Before anything is opened: the server's heap settings need a fresh process.
    if (name === 'start') (await import('./nodeFlags.ts')).applyServerNodeFlags();
    const load = COMMANDS[name];
    if (load === undefined) {
      io.err(`foyer: unknown command "${name}"\n\n${USAGE.main ?? ''}`);
      return EXIT.usage;
    }
    return await (
      await load()
    )(io, rest);
  } catch (err) {
    const code = reportError(io, err, { json, prefix: 'foyer' });
    if (err instanceof UsageError && !json) io.err(`Run "foyer help ${name ?? ''}" for usage.`);
    return code;
  }
}

// Run directly (`node src/cli/main.ts …`), not when imported by bin/foyer.js or a test.
if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
