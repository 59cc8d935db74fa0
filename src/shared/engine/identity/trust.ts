/**
 * The engine's trust store: instance keys (the own one pinned at registration, others on
 * first use, each followed through its signed rotations: identity/instanceKeys.ts), and each contact's
 * identity key pinned on first use (TOFU). A different key later is refused — MLS then
 * refuses every credential carrying it — and reported once as `identity_changed`, until the
 * user accepts the new key (acceptIdentityChange) after checking safety numbers.
 */
import { formatAddress } from '../../protocol/address.ts';
import type { TrustStore } from '../../mls/trust.ts';
import { equalBytes } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { userAddress } from '../../protocol/names.ts';
import type { EncryptedStore } from '../store/encryptedStore.ts';
import type { Emitter } from '../core/events.ts';
import { rec } from '../store/model.ts';
import { InstanceKeyRing, type InstanceInfoFetcher } from './instanceKeys.ts';

export interface Pin {
  key: Uint8Array;
  verified: boolean;
  pinnedAt: number;
  /** A different key seen since, waiting for the user's decision. */
  changed: { key: Uint8Array; seenAt: number } | null;
}

interface TrustRecord {
  v: 1;
  pins: Record<string, Pin>;
  /** Keys of other instances, pinned on first use (records written before rotations). */
  instances?: Record<string, Uint8Array>;
  /** Trusted keys by instance, current last (instanceKeys.ts); replaces `instances`. */
  instanceChains?: Record<string, Uint8Array[]>;
}

export interface TrustOwner {
  user: string;
  domain: string;
  identityKey: Uint8Array;
  instanceKey: Uint8Array;
}

export class EngineTrustStore implements TrustStore {
  private readonly store: EncryptedStore;
  private readonly events: Emitter;
  private readonly owner: TrustOwner;
  private readonly now: () => number;
  private pins: Record<string, Pin> | undefined;
  private chains: Record<string, Uint8Array[]> = {};
  private ring: InstanceKeyRing | undefined;
  private readonly fetchInstance: InstanceInfoFetcher | undefined;
  /** How many identities were refused since opening (lets incoming.ts tell why MLS failed). */
  refusals = 0;

  constructor(
    store: EncryptedStore,
    events: Emitter,
    owner: TrustOwner,
    now: () => number,
    fetchInstance?: InstanceInfoFetcher,
  ) {
    this.store = store;
    this.events = events;
    this.owner = owner;
    this.now = now;
    this.fetchInstance = fetchInstance;
  }

  /**
   * The keys trusted for an instance: this account's own (pinned at registration), or
   * another's, pinned here the first time it is needed as this account's server pinned it;
   * either then only follows rotations signed by a trusted key (a credential signed by any
   * other key is refused). A fetch failure propagates, so it is not mistaken for a forged
   * credential.
   */
  async instanceKeys(domain: string): Promise<readonly Uint8Array[]> {
    return (await this.keyRing()).keys(domain);
  }

  /** Asks this account's server again and follows a signed rotation of `domain`'s key. */
  async refreshInstanceKeys(domain: string): Promise<boolean> {
    return (await this.keyRing()).refresh(domain);
  }

  private async keyRing(): Promise<InstanceKeyRing> {
    await this.load();
    this.ring ??= new InstanceKeyRing({
      ownDomain: this.owner.domain,
      ownKey: this.owner.instanceKey,
      chains: this.chains,
      fetch: this.fetchInstance,
      save: () => this.save(),
    });
    return this.ring;
  }

  async acceptIdentity(user: string, domain: string, identityKey: Uint8Array): Promise<boolean> {
    if (user === this.owner.user && domain === this.owner.domain) {
      // Our own identity key never changes behind our back: only this user holds it.
      return equalBytes(identityKey, this.owner.identityKey);
    }
    const pins = await this.load();
    const address = userAddress(user, domain);
    const pin = pins[address];
    if (pin === undefined) {
      pins[address] = {
        key: identityKey.slice(),
        verified: false,
        pinnedAt: this.now(),
        changed: null,
      };
      await this.save();
      return true;
    }
    if (equalBytes(pin.key, identityKey)) return true;
    this.refusals++;
    if (pin.changed === null || !equalBytes(pin.changed.key, identityKey)) {
      pin.changed = { key: identityKey.slice(), seenAt: this.now() };
      await this.save();
      this.events.emit({
        type: 'identity_changed',
        user,
        domain,
        address: formatAddress({ user, domain }),
      });
    }
    return false;
  }

  /**
   * Checks a contact's identity key before using it (e.g. from a user lookup), pinning it
   * on first use. @throws FoyerError identity_changed when it differs from the pinned key
   */
  async expectIdentity(user: string, domain: string, identityKey: Uint8Array): Promise<void> {
    if (!(await this.acceptIdentity(user, domain, identityKey))) {
      throw new FoyerError(
        'identity_changed',
        `the identity key of ${user} has changed; compare safety numbers, then accept it with "trust accept ${user}"`,
        { user, domain },
      );
    }
  }

  /** The pin for a contact, if any. */
  async pin(user: string, domain: string): Promise<Pin | undefined> {
    return (await this.load())[userAddress(user, domain)];
  }

  /** Every pinned contact (for transfer to a newly linked device). */
  async allPins(): Promise<Record<string, Pin>> {
    return structuredClone(await this.load());
  }

  /** Adds pins from another device of this user, keeping our own where both exist. */
  async importPins(pins: Record<string, Pin>): Promise<void> {
    const own = await this.load();
    for (const [address, pin] of Object.entries(pins)) own[address] ??= pin;
    await this.save();
  }

  /**
   * Accepts the changed identity key of `user` (it becomes the pin, unverified).
   * @throws FoyerError not_found when there is no pending change
   */
  async acceptIdentityChange(user: string, domain: string): Promise<void> {
    const pin = (await this.load())[userAddress(user, domain)];
    if (pin === undefined || pin.changed === null) {
      throw new FoyerError('not_found', `no changed identity key is waiting for ${user}`);
    }
    pin.key = pin.changed.key;
    pin.pinnedAt = this.now();
    pin.changed = null;
    pin.verified = false;
    await this.save();
  }

  /** Marks a contact's pinned key as verified (safety numbers compared), or not. */
  async setVerified(user: string, domain: string, verified: boolean): Promise<void> {
    const pin = (await this.load())[userAddress(user, domain)];
    if (pin === undefined)
      throw new FoyerError('not_found', `no identity key is known for ${user}`);
    pin.verified = verified;
    await this.save();
  }

  private async load(): Promise<Record<string, Pin>> {
    if (this.pins === undefined) {
      const r = await this.store.getRecord<TrustRecord>(rec.trust, 'trust', 1);
      this.pins = r?.pins ?? {};
      this.chains = r?.instanceChains ?? {};
      // A key pinned before rotations existed is the start of its chain.
      for (const [domain, key] of Object.entries(r?.instances ?? {})) this.chains[domain] ??= [key];
    }
    return this.pins;
  }

  private async save(): Promise<void> {
    const record: TrustRecord = { v: 1, pins: await this.load(), instanceChains: this.chains };
    await this.store.tx().putRecord(rec.trust, record).commit();
  }
}
