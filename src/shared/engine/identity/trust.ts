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
  /** How many identities were refused since opening (lets incoming.ts tell why MLS failed). */
  refusals = 0;

  constructor(store: EncryptedStore, events: Emitter, owner: TrustOwner, now: () => number) {
    this.store = store;
    this.events = events;
    this.owner = owner;
    this.now = now;
  }

  /** Only this instance is known until federation pins peers' keys. */
  async instanceKey(domain: string): Promise<Uint8Array | undefined> {
    return domain === this.owner.domain ? this.owner.instanceKey : undefined;
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
    }
    return this.pins;
  }

  private async save(): Promise<void> {
    const record: TrustRecord = { v: 1, pins: await this.load() };
    await this.store.tx().putRecord(rec.trust, record).commit();
  }
}
