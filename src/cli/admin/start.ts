/**
 * `foyer start`: open (or create) the data folder, show the one-time admin invite on the
 * very first start (on a terminal; otherwise in a 0600 file of the data folder), serve
 * until SIGINT or SIGTERM, then close the server and the database.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInvite, inviteUrl, type Invite } from '../../server/accounts/invites.ts';
import { InviteStore } from '../../server/accounts/store/index.ts';
import { takeCensus } from '../../server/census.ts';
import { directWrite } from '../../server/storage/tx.ts';
import { writeFileExclusive } from '../../server/storage/atomicFile.ts';
import { openDatabase } from '../../server/storage/database.ts';
import { loadInstanceKey } from '../../server/storage/instance.ts';
import type { Db } from '../../server/storage/sqlite.ts';
import { createLogger } from '../../server/log.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { parseCommand } from './args.ts';
import { EXIT } from '../errors.ts';
import type { Io } from './io.ts';
import { configFor } from './open.ts';
import { unlockWith, type Unlock } from './passphrase.ts';
import { dataLayout, type DataLayout } from '../../server/storage/layout.ts';
import { lockDataFolder } from '../../server/storage/dataLock.ts';
import {
  readRunState,
  removeRunInfo,
  writeRunInfo,
  type RunInfo,
} from '../../server/home/runState.ts';
import type { PortMapper } from '../../server/home/portMapping/portMapper.ts';
import type { PortMappingStatus } from '../../server/home/portMapping/status.ts';
import { DATA_PASSPHRASE_ENV, LEGACY_PASSPHRASE_ENV } from '../../server/config.ts';
import { FOYER_VERSION } from '../../server/version.ts';
import { prepareTls, type TlsRuntime } from '../../server/tls/serve.ts';
import { trustExtraCa } from '../../server/federation/extraCa.ts';
import type { Server as TlsServer } from 'node:tls';
import { USAGE } from './help.ts';

/** The file, in the data folder, that holds the first admin invite when not shown on a terminal. */
export const ADMIN_INVITE_FILE = 'admin-invite.txt';

/**
 * The admin invite of a brand-new instance: created when there is no user and no unused
 * admin invite (an expired one is replaced), so the owner can always get in.
 */
export function firstStartInvite(db: Db, now = Date.now()): Invite | 'pending' | undefined {
  const census = takeCensus(db, now);
  if (census.users.total > 0) return undefined;
  if (census.invites.pendingAdmin > 0) return 'pending';
  // Before the server starts serving: its writer does not exist yet.
  return directWrite(db, (tx) => createInvite(new InviteStore(db), tx, { admin: true, now }));
}

/**
 * Waits for the first SIGINT or SIGTERM (a second one exits at once). `dispose` removes the
 * handlers when the server never got going.
 */
function shutdownSignal(io: Io): { requested: Promise<string>; dispose(): void } {
  let onSignal: (signal: string) => void = () => undefined;
  const requested = new Promise<string>((resolveSignal) => {
    onSignal = (signal: string) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(EXIT.failed));
      process.once('SIGTERM', () => process.exit(EXIT.failed));
      io.err(`Foyer: ${signal} received, shutting down`);
      resolveSignal(signal);
    };
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** One line saying how the data key was unlocked, so a wrong mode is noticed at once. */
function unlockLine(layout: DataLayout, unlock: Unlock): string {
  switch (unlock.source) {
    case 'env':
      return `Data key: protected by a passphrase (from ${DATA_PASSPHRASE_ENV}), ${layout.wrappedKeyFile}`;
    case 'legacy-env':
      return `Data key: protected by a passphrase (from ${LEGACY_PASSPHRASE_ENV}), ${layout.wrappedKeyFile}`;
    case 'terminal':
      return `Data key: protected by a passphrase (typed), ${layout.wrappedKeyFile}`;
    case 'none':
      return `Data key: key file ${layout.keyFile} (anyone who can read it and the database can read the data)`;
  }
}

/** Where the server holding the lock says it listens, for the refusal message. */
function holderDetail(layout: DataLayout): string {
  const state = readRunState(layout);
  if (!state.running || state.url === undefined) return '';
  const since =
    state.startedAt === undefined ? '' : ` since ${new Date(state.startedAt).toISOString()}`;
  const pid = state.pid === undefined ? '' : `, process ${state.pid}`;
  return ` (listening on ${state.url}${since}${pid})`;
}

/** Where the first admin invite goes when standard output is not a terminal. */
export function adminInviteFile(dataDir: string): string {
  return join(dataDir, ADMIN_INVITE_FILE);
}

function writeAdminInvite(dataDir: string, text: string): string {
  const file = adminInviteFile(dataDir);
  removeAdminInvite(dataDir);
  writeFileExclusive(file, text, 0o600);
  return file;
}

/** Once an account exists, a leftover invite file is useless: remove it. */
function removeAdminInvite(dataDir: string): void {
  rmSync(adminInviteFile(dataDir), { force: true });
}

/**
 * Starts the router port mapping in the background, or says why it cannot apply. Loaded only
 * when on: the UPnP library is not worth its memory and start time to every other server.
 */
async function startMapping(
  io: Io,
  config: ReturnType<typeof configFor>,
  listenPort: number,
  onStatus: (status: PortMappingStatus) => void,
): Promise<PortMapper | undefined> {
  const { mappingPlan } = await import('../../server/home/portMapping/plan.ts');
  const plan = mappingPlan(config, listenPort);
  if ('skip' in plan) {
    io.err(`Router port mapping not used: ${plan.skip}`);
    onStatus({ state: 'failed', forwards: [], problem: plan.skip });
    return undefined;
  }
  const { startPortMapper } = await import('../../server/home/portMapping/portMapper.ts');
  return startPortMapper({
    mode: config.portMapping === 'off' ? 'auto' : config.portMapping,
    forwards: plan.forwards,
    leaseSeconds: config.portMappingLeaseSeconds,
    say: (text) => io.out(text),
    warn: (text) => io.err(text),
    onStatus,
  });
}

export async function startCommand(io: Io, argv: readonly string[]): Promise<number> {
  const { values, configArgv } = parseCommand(argv, {});
  if (values.help === true) {
    io.out(USAGE.start ?? '');
    return EXIT.ok;
  }
  const config = configFor(io, configArgv);
  const layout = dataLayout(config.dataDir);
  // Before anything else touches the folder: a second server must change nothing.
  const lock = lockDataFolder(layout, () => holderDetail(layout));
  try {
    return await runLocked(io, config, layout);
  } finally {
    lock.release();
  }
}

async function runLocked(
  io: Io,
  config: ReturnType<typeof configFor>,
  layout: DataLayout,
): Promise<number> {
  const log = createLogger(config);
  const unlock = await unlockWith(config, (text) => io.err(text));
  const db = openDatabase({
    dataDir: config.dataDir,
    passphrase: unlock.passphrase,
    create: true,
    durability: config.durability,
  });
  io.out(`Foyer ${FOYER_VERSION}, data folder ${layout.dir}`);
  io.out(unlockLine(layout, unlock));
  try {
    const instanceKey = loadInstanceKey(db);
    // Installed before listening: a signal that arrives while starting still closes cleanly.
    const stop = shutdownSignal(io);
    let server;
    let tls: TlsRuntime | undefined;
    try {
      // Loaded here, not at the top: admin commands need not load the HTTP stack.
      const { startServer } = await import('../../server/app.ts');
      if (config.federationCa !== undefined) {
        const n = trustExtraCa(config.federationCa);
        io.out(`Peer instances: ${n} extra certificate authorit${n === 1 ? 'y' : 'ies'} trusted`);
      }
      tls = await prepareTls(config, log, db);
      if (tls !== undefined) io.out(tls.describe);
      server = await startServer(config, { db, instanceKey, log, tls: tls?.pair });
      tls?.attach(server.app.server as unknown as TlsServer);
    } catch (err) {
      stop.dispose();
      await tls?.close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new FoyerError(
          'network',
          `cannot listen on ${config.host}:${config.port} (${code}): choose another --host/--port`,
        );
      }
      throw err;
    }
    // With port 0 the default public URL only becomes known now.
    if (new URL(config.publicUrl).port === '0') config.publicUrl = server.url;
    // Made once listening, so that a failed start does not leave an invite nobody saw.
    const invite = firstStartInvite(db);
    if (invite === 'pending') {
      io.out('No account yet: use the admin invite printed at the first start, or make a new one');
      io.out('with "foyer invite create --admin".');
    } else if (invite !== undefined) {
      const link = inviteUrl(config.publicUrl, invite.code);
      const until = new Date(invite.expiresAt).toISOString();
      io.out('');
      if (io.outputIsTerminal === true) {
        io.out(
          'This is a new Foyer instance. Open this one-time admin invite to create the first account',
        );
        io.out(`(valid until ${until}):`);
        io.out('');
        io.out(`    ${link}`);
      } else {
        // Not a terminal: this output is likely kept in a service log, which must not hold a
        // code that makes its reader the administrator.
        const file = writeAdminInvite(config.dataDir, `${link}\n`);
        io.out('This is a new Foyer instance. Its one-time admin invite (valid until');
        io.out(`${until}) was written to ${file}, readable by this account only.`);
      }
      io.out('');
    } else {
      removeAdminInvite(config.dataDir);
    }
    const backups =
      config.backupDir === undefined
        ? undefined
        : // Loaded only when on: the snapshot and rotation code stays out of other servers.
          (await import('../../server/backup/schedule.ts')).scheduleBackups({
            db,
            layout,
            dir: config.backupDir,
            keep: config.backupKeep,
            log,
          });
    const lan = config.lanAnnounce
      ? // Loaded only when on: the mDNS library costs start time every other server would pay.
        await (
          await import('../../server/home/lanAnnounce.ts')
        ).announceOnLan({
          name: config.lanName,
          port: new URL(server.url).port === '' ? config.port : Number(new URL(server.url).port),
          interfaces: config.lanInterface === undefined ? undefined : [config.lanInterface],
        })
      : undefined;
    if (lan !== undefined) io.out(`Announced on the home network as ${config.lanName}.local`);
    const runInfo: RunInfo = {
      pid: process.pid,
      url: server.url,
      publicUrl: config.publicUrl,
      startedAt: Date.now(),
      version: FOYER_VERSION,
    };
    writeRunInfo(layout, runInfo);
    io.out(`Foyer listening on ${server.url}`);
    const mapping =
      config.portMapping === 'off'
        ? undefined
        : await startMapping(io, config, Number(new URL(server.url).port), (status) => {
            runInfo.portMapping = status;
            writeRunInfo(layout, runInfo);
          });
    try {
      await stop.requested;
      // First, so that the router stops sending people to a port about to close.
      await mapping?.stop();
      backups?.stop();
      await lan?.stop();
      await tls?.close();
      await server.close();
    } finally {
      removeRunInfo(layout);
    }
    return EXIT.ok;
  } finally {
    db.close();
  }
}
