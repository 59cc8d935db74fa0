/** Contacts' identity keys as the user sees them: safety numbers, verification, changes. */
import { fromBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { formatAddress } from '../../protocol/address.ts';
import type { EngineContext } from '../core/context.ts';
import { allConversations } from '../conversations/conversationStore.ts';
import { releaseHeld } from '../sync/releaseHeld.ts';
import { askAbout, isMe, myAddress, parsePerson } from './addresses.ts';
import { compareSafetyQr, safetyNumber, type Party } from './safety.ts';

export interface SafetyView {
  user: string;
  domain: string;
  /** `user@domain` */
  address: string;
  digits: string;
  qr: string;
  verified: boolean;
  /** A different identity key was seen and is refused until accepted. */
  changed: boolean;
}

function me(ctx: EngineContext): Party {
  return { address: formatAddress(myAddress(ctx)), identityKey: ctx.account.identityKey.publicKey };
}

/**
 * The safety number with `person` (an address, or a bare name of this instance). Asks the server for their current key first: that pins a
 * first key, or flags a change (then the number shown is the NEW key's, the one to compare
 * before accepting it). Offline, the pinned key gives the number.
 * @throws FoyerError invalid_name, usage (oneself), not_found
 */
export async function safetyWith(ctx: EngineContext, person: string): Promise<SafetyView> {
  const them = parsePerson(ctx, person);
  const { user, domain } = them;
  if (isMe(ctx, them)) {
    throw new FoyerError('usage', 'safety numbers are between you and someone else');
  }
  try {
    const info = await askAbout(ctx, them, (name) => ctx.transport.user(name));
    const key = fromBase64Url(info.identityKey);
    if (key === undefined)
      throw new FoyerError('bad_reply', 'the server sent a malformed identity key');
    await ctx.trust.acceptIdentity(user, domain, key);
  } catch (err) {
    if (!(err instanceof FoyerError && err.code === 'network')) throw err;
  }
  const pin = await ctx.trust.pin(user, domain);
  if (pin === undefined)
    throw new FoyerError('not_found', `no identity key is known for ${formatAddress(them)}`);
  const sn = await safetyNumber(me(ctx), {
    address: formatAddress(them),
    identityKey: pin.changed?.key ?? pin.key,
  });
  return {
    user,
    domain,
    address: formatAddress(them),
    digits: sn.digits,
    qr: sn.qr,
    verified: pin.verified,
    changed: pin.changed !== null,
  };
}

/** Checks a safety QR payload scanned from `person`'s screen; marks them verified on a match. */
export async function verifyQr(
  ctx: EngineContext,
  person: string,
  scanned: string,
): Promise<boolean> {
  const { user, domain } = parsePerson(ctx, person);
  const pin = await ctx.trust.pin(user, domain);
  if (pin === undefined)
    throw new FoyerError('not_found', `no identity key is known for ${user}@${domain}`);
  const them = { address: formatAddress({ user, domain }), identityKey: pin.key };
  const ok = await compareSafetyQr(me(ctx), them, scanned);
  if (ok) await ctx.trust.setVerified(user, domain, true);
  return ok;
}

/**
 * Accepts `person`'s changed identity key: it becomes the pin (unverified); messages held back
 * because of it are processed; leaves still carrying the former key — another account now —
 * are removed from every conversation. Call with the engine lock held.
 */
export async function acceptChangedIdentity(ctx: EngineContext, person: string): Promise<void> {
  const them = parsePerson(ctx, person);
  const { user, domain } = them;
  await ctx.trust.acceptIdentityChange(user, domain);
  await releaseHeld(ctx);
  const key = (await ctx.trust.pin(user, domain))!.key;
  const tx = ctx.store.tx();
  for (const c of await allConversations(ctx.store)) {
    if (c.status !== 'active' || !c.members.includes(formatAddress(them))) continue;
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
