/**
 * People as the engine names them: by address, with this account's domain as the default
 * for a bare name. Nothing here assumes that a person is local; only the wire name does,
 * because this account's own server answers for its users by bare name (`/users/bob`) and
 * for others by full address (`/users/bob@chez-bob.example`, for it to forward).
 */
import { formatAddress, parseAddress, sameAddress, type Address } from '../../protocol/address.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { EngineContext } from '../core/context.ts';

/** This account's own address. */
export function myAddress(ctx: EngineContext): Address {
  return { user: ctx.account.user, domain: ctx.account.domain };
}

export function isMe(ctx: EngineContext, a: Address): boolean {
  return sameAddress(a, myAddress(ctx));
}

/** Parses what a person typed: `bob` (this instance) or `bob@domain`. @throws invalid_name */
export function parsePerson(ctx: EngineContext, input: string): Address {
  return parseAddress(input, ctx.account.domain);
}

/** Parses a list of people, without duplicates, in order. @throws FoyerError invalid_name */
export function parsePeople(ctx: EngineContext, inputs: string[]): Address[] {
  const out: Address[] = [];
  for (const raw of inputs) {
    const a = parsePerson(ctx, raw);
    if (!out.some((b) => sameAddress(a, b))) out.push(a);
  }
  return out;
}

/** How this account's server names `a` in a request path. */
export function wireName(ctx: EngineContext, a: Address): string {
  return a.domain === ctx.account.domain ? a.user : formatAddress(a);
}

/**
 * Runs a lookup of `a` on this account's server, turning the refusal of another instance's
 * address by a server that does not federate into a clear error.
 * @throws FoyerError federation_unavailable, or what `call` throws
 */
export async function askAbout<T>(
  ctx: EngineContext,
  a: Address,
  call: (name: string) => Promise<T>,
): Promise<T> {
  try {
    return await call(wireName(ctx, a));
  } catch (err) {
    const refused = err instanceof FoyerError && ['invalid_name', 'bad_request'].includes(err.code);
    if (!refused || a.domain === ctx.account.domain) throw err;
    throw new FoyerError(
      'federation_unavailable',
      `${formatAddress(a)} is on another instance, which this server does not reach`,
      { domain: a.domain },
    );
  }
}
