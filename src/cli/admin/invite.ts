/** `foyer invite create`: a single-use invite link, made beside a running server. */
import { createInvite, DEFAULT_INVITE_TTL_MS, inviteUrl } from '../../server/accounts/invites.ts';
import { InviteStore } from '../../server/accounts/store/index.ts';
import { directWrite } from '../../server/storage/tx.ts';
import { parseCommand, UsageError } from './args.ts';
import { parseDuration } from './duration.ts';
import { EXIT } from '../errors.ts';
import type { Io } from './io.ts';
import { configFor, openExisting } from './open.ts';
import { USAGE } from './help.ts';
import { invitePublicUrl } from './publicUrl.ts';
import { inviteManage } from './manage.ts';

export async function inviteCommand(io: Io, argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.err(USAGE.invite ?? '');
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub === 'list' || sub === 'revoke') return inviteManage(io, sub, rest);
  if (sub !== 'create')
    throw new UsageError(`unknown invite command "${sub}" (known: create, list, revoke)`);
  const { values, configArgv } = parseCommand(rest, {
    admin: { type: 'boolean' },
    expires: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    io.out(USAGE.invite ?? '');
    return EXIT.ok;
  }
  const ttlMs =
    typeof values.expires === 'string'
      ? parseDuration(values.expires, '--expires')
      : DEFAULT_INVITE_TTL_MS;
  const config = configFor(io, configArgv);
  const db = await openExisting(config);
  try {
    // This command's own process: the server's writer is not here.
    const invite = directWrite(db, (tx) =>
      createInvite(new InviteStore(db), tx, { admin: values.admin === true, ttlMs }),
    );
    const url = inviteUrl(invitePublicUrl(config), invite.code);
    if (values.json === true) {
      io.out(
        JSON.stringify({
          code: invite.code,
          url,
          expiresAt: invite.expiresAt,
          admin: invite.admin,
        }),
      );
    } else {
      const kind = invite.admin ? 'Admin invite' : 'Invite';
      io.out(`${kind} (single use, valid until ${new Date(invite.expiresAt).toISOString()}):`);
      io.out(`  ${url}`);
    }
    return EXIT.ok;
  } finally {
    db.close();
  }
}
