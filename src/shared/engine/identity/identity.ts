/** Contacts' identity keys as the user sees them: safety numbers, verification, changes. */
import { fromBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { isUserName, userAddress } from '../../protocol/names.ts';
import type { EngineContext } from '../core/context.ts';
import { allConversations } from '../conversations/conversationStore.ts';
import { releaseHeld } from '../sync/releaseHeld.ts';
import { compareSafetyQr, safetyNumber, type Party } from './safety.ts';

export interface SafetyView {
  user: string;
  domain: string;
  digits: string;
  qr: string;
  verified: boolean;
  /** A different identity key was seen and is refused until accepted. */
  changed: boolean;
}

function me(ctx: EngineContext): Party {
  const a = ctx.account;
  return { address: userAddress(a.user, a.domain), identityKey: a.identityKey.publicKey };
}

/**
 * The safety number with `user`. Asks the server for their current key first: that pins a
 * first key, or flags a change (then the number shown is the NEW key's, the one to compare
 * before accepting it). Offline, the pinned key gives the number.
 * @throws FoyerError invalid_name, usage (oneself), not_found
 */
export async function safetyWith(ctx: EngineContext, user: string): Promise<SafetyView> {
  if (!isUserName(user)) throw new FoyerError('invalid_name', `not a user name: ${user}`);
  const domain = ctx.account.domain;
  if (user === ctx.account.user) {
    throw new FoyerError('usage', 'safety numbers are between you and someone else');
  }
  try {
    const info = await ctx.transport.user(user);
    const key = fromBase64Url(info.identityKey);
    if (key === undefined)
      throw new FoyerError('internal', 'the server sent a malformed identity key');
    await ctx.trust.acceptIdentity(user, domain, key);
  } catch (err) {
    if (!(err instanceof FoyerError && err.code === 'network')) throw err;
  }
  const pin = await ctx.trust.pin(user, domain);
  if (pin === undefined) throw new FoyerError('not_found', `no identity key is known for ${user}`);
  const sn = await safetyNumber(me(ctx), {
    address: userAddress(user, domain),
    identityKey: pin.changed?.key ?? pin.key,
  });
  return {
    user,
    domain,
    digits: sn.digits,
    qr: sn.qr,
    verified: pin.verified,
    changed: pin.changed !== null,
  };
}

/** Checks a safety QR payload scanned from `user`'s screen; marks them verified on a match. */
export async function verifyQr(
  ctx: EngineContext,
  user: string,
  scanned: string,
): Promise<boolean> {
  const domain = ctx.account.domain;
  const pin = await ctx.trust.pin(user, domain);
  if (pin === undefined) throw new FoyerError('not_found', `no identity key is known for ${user}`);
  const them = { address: userAddress(user, domain), identityKey: pin.key };
  const ok = await compareSafetyQr(me(ctx), them, scanned);
  if (ok) await ctx.trust.setVerified(user, domain, true);
  return ok;
}

/**
 * Accepts `user`'s changed identity key: it becomes the pin (unverified); messages held back
 * because of it are processed; leaves still carrying the former key — another account now —
 * are removed from every conversation. Call with the engine lock held.
 */
export async function acceptChangedIdentity(ctx: EngineContext, user: string): Promise<void> {
  const domain = ctx.account.domain;
  await ctx.trust.acceptIdentityChange(user, domain);
  await releaseHeld(ctx);
  const key = (await ctx.trust.pin(user, domain))!.key;
  const tx = ctx.store.tx();
  for (const c of await allConversations(ctx.store)) {
    if (c.status !== 'active' || !c.members.includes(user)) continue;
    await ctx.dispatch.post(tx, {
      kind: 'remove_user',
      conversationId: c.id,
      user,
      domain,
      keepIdentityKey: key,
    });
  }
  await tx.commit();
  await ctx.dispatch.runJobs();
}
