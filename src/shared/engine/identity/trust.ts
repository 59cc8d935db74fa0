/**
 * The engine's trust store: the instance key pinned at registration, and each contact's
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
  /** Keys of other instances, pinned on first use (absent in records written before). */
  instances?: Record<string, Uint8Array>;
}

/** Fetches another instance's key through this account's server (`/api/v1/instances/:d`). */
export type InstanceKeyFetcher = (domain: string) => Promise<Uint8Array>;

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
  private instances: Record<string, Uint8Array> = {};
  private readonly fetchInstanceKey: InstanceKeyFetcher | undefined;
  /** How many identities were refused since opening (lets incoming.ts tell why MLS failed). */
  refusals = 0;

  constructor(
    store: EncryptedStore,
    events: Emitter,
    owner: TrustOwner,
    now: () => number,
    fetchInstanceKey?: InstanceKeyFetcher,
  ) {
    this.store = store;
    this.events = events;
    this.owner = owner;
    this.now = now;
    this.fetchInstanceKey = fetchInstanceKey;
  }

  /**
   * This account's instance key (pinned at registration), or another instance's key: pinned
   * here the first time it is needed, as this account's server pinned it on its first contact
   * with that instance, and never replaced afterwards (a credential signed by another key is
   * then refused). A fetch failure propagates, so it is not mistaken for a forged credential.
   */
  async instanceKey(domain: string): Promise<Uint8Array | undefined> {
    if (domain === this.owner.domain) return this.owner.instanceKey;
    await this.load();
    const pinned = this.instances[domain];
    if (pinned !== undefined || this.fetchInstanceKey === undefined) return pinned;
    const key = await this.fetchInstanceKey(domain);
    if (key.length !== 32) return undefined;
    this.instances[domain] ??= key.slice();
    await this.save();
    return this.instances[domain];
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
      this.instances = r?.instances ?? {};
    }
    return this.pins;
  }

  private async save(): Promise<void> {
    const record: TrustRecord = { v: 1, pins: await this.load(), instances: this.instances };
    await this.store.tx().putRecord(rec.trust, record).commit();
  }
}
