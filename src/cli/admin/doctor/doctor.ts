/** `foyer doctor`: runs the checks and prints them with advice; exit 1 if any failed. */
import { dataLayout } from '../../../server/storage/layout.ts';
import { readRunState } from '../../../server/home/runState.ts';
import { parseCommand, UsageError } from '../args.ts';
import { checkCertificates, WARN_DAYS } from './certificate.ts';
import type { Io } from '../io.ts';
import { EXIT } from '../../errors.ts';
import { configFor, openExisting } from '../open.ts';
import { USAGE } from '../help.ts';
import {
  checkBackups,
  checkDatabase,
  checkDisk,
  checkReach,
  checkServer,
  type Check,
} from './checks.ts';
import { checkPortMapping } from './portMappingCheck.ts';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

export async function doctorCommand(io: Io, argv: readonly string[]): Promise<number> {
  const { values, configArgv } = parseCommand(argv, {
    json: { type: 'boolean' },
    'cert-days': { type: 'string' },
  });
  if (values.help === true) {
    io.out(USAGE.doctor ?? '');
    return EXIT.ok;
  }
  const certDays = values['cert-days'] === undefined ? WARN_DAYS : Number(values['cert-days']);
  if (!Number.isSafeInteger(certDays) || certDays < 0 || certDays > 3650)
    throw new UsageError('--cert-days must be a number of days (0-3650)');
  const config = configFor(io, configArgv);
  const layout = dataLayout(config.dataDir);
  const checks: Check[] = [];
  const state = readRunState(layout);
  let certificates: Check[] | undefined;
  try {
    const db = await openExisting(config, (t) => io.err(t));
    try {
      checks.push(checkDatabase(db));
      certificates = await checkCertificates(config, db, state, certDays);
    } finally {
      db.close();
    }
  } catch (err) {
    checks.push({
      name: 'database',
      status: 'fail',
      detail: (err as Error).message,
      advice: 'fix what the message says first: the other checks depend on it',
    });
  }
  if (checks[0]?.status !== 'fail') checks.push(checkDisk(layout));
  checks.push(...checkReach(config));
  checks.push(...(await checkServer(config, state)));
  checks.push(...(certificates ?? (await checkCertificates(config, undefined, state, certDays))));
  checks.push(await checkPortMapping(config, state));
  checks.push(checkBackups(config));
  const ok = checks.every((c) => c.status !== 'fail');
  if (values.json === true) {
    io.out(JSON.stringify({ ok, checks }));
  } else {
    for (const c of checks) {
      io.out(`${MARK[c.status]}  ${c.name}: ${c.detail}`);
      if (c.advice !== undefined) io.out(`      → ${c.advice}`);
    }
    const problems = checks.filter((c) => c.status !== 'ok').length;
    io.out(problems === 0 ? '\nAll good.' : `\n${problems} thing(s) to look at.`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}
