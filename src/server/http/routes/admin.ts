/**
 * The household's members (for any signed-in member: whom they can write to) and the admin
 * routes the web app's admin page uses: the same operations as `foyer invite create` and
 * `foyer user list/remove`, for a device of an admin account.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import type { Caller } from '../../accounts/accounts.ts';
import { createInvite, inviteUrl } from '../../accounts/invites.ts';
import { listInvites, revokeInvite } from '../../accounts/inviteAdmin.ts';
import { disableUserIn, enableUserIn, listUsers, removeUserIn } from '../../accounts/userAdmin.ts';
import { FoyerError } from '../../../shared/protocol/errors.ts';
import { USER_NAME_RE } from '../../../shared/protocol/names.ts';
import { object } from '../parse.ts';

const MAX_INVITE_DAYS = 90;

function isAdmin(ctx: Context, caller: Caller): boolean {
  return ctx.accountStores.users.byId(caller.userId)?.admin === true;
}

function parseInviteRequest(body: unknown): { admin: boolean; days: number } {
  const o = object(body ?? {});
  const admin = o.admin ?? false;
  const days = o.expiresInDays ?? 7;
  if (typeof admin !== 'boolean') throw new FoyerError('bad_request', 'admin must be a boolean');
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_INVITE_DAYS) {
    throw new FoyerError(
      'bad_request',
      `expiresInDays must be an integer from 1 to ${MAX_INVITE_DAYS}`,
    );
  }
  return { admin, days };
}

export function adminRoutes(app: FastifyInstance, ctx: Context): void {
  const admin = (req: FastifyRequest): Caller => {
    const caller = ctx.auth(req);
    if (!isAdmin(ctx, caller)) throw new FoyerError('forbidden', 'this needs an admin account');
    return caller;
  };

  app.get('/api/v1/members', async (req) => {
    ctx.auth(req);
    return { members: listUsers(ctx.db).map((u) => ({ name: u.name, admin: u.admin })) };
  });

  app.get('/api/v1/admin/invites', async (req) => {
    admin(req);
    return { invites: listInvites(ctx.accountStores.invites) };
  });

  app.post('/api/v1/admin/invites', async (req) => {
    admin(req);
    const { admin: asAdmin, days } = parseInviteRequest(req.body);
    const invite = await ctx.writer.run((tx) =>
      createInvite(ctx.accountStores.invites, tx, {
        admin: asAdmin,
        ttlMs: days * 24 * 3600 * 1000,
      }),
    );
    return { ...invite, url: inviteUrl(ctx.config.publicUrl, invite.code) };
  });

  app.delete('/api/v1/admin/invites/:id', async (req, reply) => {
    admin(req);
    const raw = (req.params as { id?: unknown }).id;
    const id = typeof raw === 'string' && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id)) throw new FoyerError('bad_request', 'invite id is not valid');
    await ctx.writer.run((tx) => revokeInvite(ctx.accountStores.invites, tx, id));
    return reply.code(204).send();
  });

  app.get('/api/v1/admin/users', async (req) => {
    admin(req);
    return { users: listUsers(ctx.db) };
  });

  app.delete('/api/v1/admin/users/:name', async (req) => {
    const caller = admin(req);
    const name = (req.params as { name?: unknown }).name;
    if (typeof name !== 'string' || !USER_NAME_RE.test(name)) {
      throw new FoyerError('invalid_name', 'user name is not valid');
    }
    if (name === caller.userName) {
      throw new FoyerError('forbidden', 'an admin cannot remove their own account here');
    }
    // Through the server's writer (group commit) and its own mailbox counts.
    const removed = await ctx.writer.run((tx) =>
      removeUserIn(ctx.accountStores, tx, name, Date.now(), (id) => ctx.mailboxes.drop(tx, id)),
    );
    // The rows are gone; the in-memory views follow, as for a device revoked by its owner.
    for (const id of removed.deviceIds) {
      ctx.sessions.forgetDevice(id);
      ctx.hub.deviceRevoked(id);
      ctx.closeDeviceSockets(id);
    }
    return { name, devices: removed.devices };
  });

  // Disable or enable: the account and its data stay; a disabled user cannot log in.
  app.post('/api/v1/admin/users/:name/:action', async (req) => {
    const caller = admin(req);
    const { name, action } = req.params as { name?: unknown; action?: unknown };
    if (typeof name !== 'string' || !USER_NAME_RE.test(name)) {
      throw new FoyerError('invalid_name', 'user name is not valid');
    }
    if (action !== 'disable' && action !== 'enable') {
      throw new FoyerError('not_found', 'unknown action (disable, enable)');
    }
    if (action === 'enable') {
      const changed = await ctx.writer.run((tx) => enableUserIn(ctx.accountStores, tx, name));
      ctx.disabledUsersChanged();
      return { name, disabled: false, changed };
    }
    if (name === caller.userName) {
      throw new FoyerError('forbidden', 'an admin cannot disable their own account here');
    }
    const r = await ctx.writer.run((tx) => disableUserIn(ctx.accountStores, tx, name, Date.now()));
    ctx.disabledUsersChanged();
    return { name, disabled: true, changed: r.changed };
  });
}
