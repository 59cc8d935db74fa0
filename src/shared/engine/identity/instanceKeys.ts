/**
 * The instance keys a client checks credentials against, per domain: the key it pinned and
 * the keys reached from it by rotations signed by the key they replace, oldest first, the
 * current key last. A credential signed by any of them verifies: the leaves of existing MLS
 * groups keep the credentials their instance signed before it rotated (docs/federation.md,
 * "Key rotation").
 *
 * What a client accepts from its own server's answer (`GET /api/v1/instances/:domain`):
 * - first contact with a domain: the whole chain that verifies up to the current key (the
 *   client trusts its own server for a first key, as it does today);
 * - afterwards: only keys that rotations signed from its latest key lead to. A server cannot
 *   slip in a key of its choice for another instance once the client pinned one;
 * - for its own domain, earlier keys of the chain too (a device registered after a rotation
 *   must accept its housemates' older credentials): its own server holds the current key and
 *   could sign any credential of its domain anyway, so this gives it nothing more.
 */
import { equalBytes, fromBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { InstanceInfo } from '../../protocol/api.ts';
import { followRotations, parseRotations, type KeyRotation } from '../../protocol/keyRotation.ts';

/** Fetches an instance's key and rotations through this account's server. */
export type InstanceInfoFetcher = (domain: string) => Promise<InstanceInfo>;

/** The current key and rotations of an answer. @throws FoyerError bad_reply */
function decode(info: InstanceInfo): { current: Uint8Array; chain: KeyRotation[] } {
  const current = fromBase64Url(info.instanceKey);
  if (current?.length !== 32) {
    throw new FoyerError('bad_reply', 'the server sent a malformed instance key');
  }
  try {
    return { current, chain: parseRotations(info.rotations) };
  } catch (err) {
    throw new FoyerError('bad_reply', `instance rotations: ${(err as Error).message}`);
  }
}

/** The keys of a whole chain that verifies up to `current`; just `current` otherwise. */
async function wholeChain(
  domain: string,
  current: Uint8Array,
  chain: readonly KeyRotation[],
): Promise<Uint8Array[]> {
  const first = chain[0];
  if (first === undefined) return [current];
  try {
    const followed = await followRotations(domain, first.oldKey, current, chain);
    return [first.oldKey, ...followed.map((r) => r.newKey)];
  } catch (err) {
    if (err instanceof FoyerError && err.code === 'peer_key_changed') return [current];
    throw err;
  }
}

function withoutDuplicates(keys: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const k of keys) if (!out.some((o) => equalBytes(o, k))) out.push(k);
  return out;
}

/**
 * The keys to trust for `domain` after the server's answer `info`, given those known so far.
 * @param earlier accept keys before the known ones (this account's own domain only)
 * @throws FoyerError peer_key_changed when the current key is not reached from the latest
 * known one by valid rotations; bad_reply for a malformed answer
 */
export async function learnInstanceKeys(
  domain: string,
  known: readonly Uint8Array[],
  info: InstanceInfo,
  earlier: boolean,
): Promise<Uint8Array[]> {
  const { current, chain } = decode(info);
  const latest = known.at(-1);
  if (latest === undefined) return wholeChain(domain, current, chain);
  const followed = await followRotations(domain, latest, current, chain);
  const keys = [...known, ...followed.map((r) => r.newKey)];
  if (!earlier) return keys;
  const before = (await wholeChain(domain, current, chain)).filter((k) => !equalBytes(k, current));
  return withoutDuplicates([...before, ...keys]);
}

/**
 * Instance keys by domain, with persistence left to the owner (`save`). The state is a plain
 * record so the owner can keep it in its encrypted store.
 */
export class InstanceKeyRing {
  private readonly own: { domain: string; key: Uint8Array };
  private readonly chains: Record<string, Uint8Array[]>;
  private readonly fetch: InstanceInfoFetcher | undefined;
  private readonly save: () => Promise<void>;

  constructor(opts: {
    ownDomain: string;
    /** The key pinned at registration. */
    ownKey: Uint8Array;
    /** Keys learnt so far (mutated in place; `save` persists it). */
    chains: Record<string, Uint8Array[]>;
    fetch?: InstanceInfoFetcher;
    save?: () => Promise<void>;
  }) {
    this.own = { domain: opts.ownDomain, key: opts.ownKey };
    this.chains = opts.chains;
    this.fetch = opts.fetch;
    this.save = opts.save ?? (async () => {});
  }

  /**
   * The keys trusted for `domain`, the current last; fetched on first contact with another
   * instance. Empty when unknown and there is no way to ask. A fetch failure propagates, so it
   * is not mistaken for a forged credential.
   */
  async keys(domain: string): Promise<readonly Uint8Array[]> {
    const known = this.known(domain);
    if (known.length > 0 || this.fetch === undefined) return known;
    const keys = await learnInstanceKeys(domain, [], await this.fetch(domain), false);
    this.chains[domain] ??= keys;
    await this.save();
    return this.chains[domain];
  }

  /**
   * Asks again, after a credential of `domain` verified under none of its keys: follows the
   * rotations from the latest key to the current one.
   * @returns whether a key was learnt (a chain that does not lead from a trusted key changes
   * nothing)
   */
  async refresh(domain: string): Promise<boolean> {
    if (this.fetch === undefined) return false;
    const known = this.known(domain);
    let keys: Uint8Array[];
    try {
      keys = await learnInstanceKeys(
        domain,
        known,
        await this.fetch(domain),
        domain === this.own.domain,
      );
    } catch (err) {
      if (err instanceof FoyerError && err.code === 'peer_key_changed') return false;
      throw err;
    }
    if (keys.length === known.length) return false;
    this.chains[domain] = keys;
    await this.save();
    return true;
  }

  private known(domain: string): Uint8Array[] {
    return this.chains[domain] ?? (domain === this.own.domain ? [this.own.key] : []);
  }
}
