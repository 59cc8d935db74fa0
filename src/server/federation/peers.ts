/**
 * Peer instances: where each is reached, its discovery document, and its key, pinned in the
 * encrypted database on first contact. A pinned key is never replaced by discovery: a peer
 * that shows another key is refused (`peer_key_changed`) until its rotation is signed by the
 * old key (not built yet) or an administrator forgets the pin.
 */
import type { KeyObject } from 'node:crypto';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { fromBase64Url } from '../../shared/protocol/bytes.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/api.ts';
import type { Writer } from '../writer.ts';
import type { FederationStore } from './store.ts';
import { publicKeyObject } from './signature.ts';

/** A discovery document is small; anything larger is refused unread. */
const MAX_DISCOVERY_BYTES = 16 * 1024;
const DISCOVERY_TIMEOUT_MS = 5_000;

export class Peers {
  private readonly store: FederationStore;
  private readonly writer: Writer;
  private readonly map: Readonly<Record<string, string>>;
  /** Discoveries in flight, so concurrent first contacts fetch once. */
  private readonly pending = new Map<string, Promise<Uint8Array>>();

  constructor(opts: {
    store: FederationStore;
    writer: Writer;
    /** domain → base URL overrides (configuration `federationPeers`). */
    map: Readonly<Record<string, string>>;
  }) {
    this.store = opts.store;
    this.writer = opts.writer;
    this.map = opts.map;
  }

  /** Where `domain` is reached: the configured address, else `https://domain`. */
  baseUrl(domain: string): string {
    return this.map[domain] ?? `https://${domain}`;
  }

  /** @throws FoyerError federation_denied for an instance the administrator denied */
  assertAllowed(domain: string): void {
    if (this.store.peer(domain)?.denied === 1) {
      throw new FoyerError(
        'federation_denied',
        `this instance's administrator denied federation with ${domain}`,
        { domain, deniedBy: 'self' },
      );
    }
  }

  isDenied(domain: string): boolean {
    return this.store.peer(domain)?.denied === 1;
  }

  /**
   * The peer's key: the pinned one, or the one its discovery document gives, pinned now.
   * @throws FoyerError peer_unreachable, peer_key_changed
   */
  async keyFor(domain: string): Promise<KeyObject> {
    return publicKeyObject(await this.rawKeyFor(domain));
  }

  /** The peer's key as its 32 raw bytes (pinned now if it was not). */
  async rawKeyFor(domain: string): Promise<Uint8Array> {
    const pinned = this.store.peer(domain)?.public_key;
    if (pinned !== null && pinned !== undefined) return new Uint8Array(pinned);
    let p = this.pending.get(domain);
    if (p === undefined) {
      p = this.discoverAndPin(domain).finally(() => this.pending.delete(domain));
      this.pending.set(domain, p);
    }
    return p;
  }

  /**
   * Fetches the discovery document and checks it against the pin.
   * @throws FoyerError peer_unreachable, peer_key_changed
   */
  async discover(domain: string): Promise<Uint8Array> {
    const url = `${this.baseUrl(domain)}/.well-known/foyer`;
    let doc: unknown;
    try {
      const res = await fetch(url, {
        signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
        redirect: 'error',
      });
      const text = await res.text();
      if (!res.ok || text.length > MAX_DISCOVERY_BYTES) throw new Error(`status ${res.status}`);
      doc = JSON.parse(text);
    } catch (err) {
      throw new FoyerError(
        'peer_unreachable',
        `cannot discover ${domain}: ${(err as Error).message}`,
        {
          domain,
        },
      );
    }
    const d = doc as { domain?: unknown; instanceKey?: unknown; protocol?: unknown };
    const key = typeof d.instanceKey === 'string' ? fromBase64Url(d.instanceKey) : undefined;
    if (d.domain !== domain || d.protocol !== PROTOCOL_VERSION || key?.length !== 32) {
      throw new FoyerError('peer_unreachable', `the discovery document of ${domain} is invalid`, {
        domain,
      });
    }
    const pinned = this.store.peer(domain)?.public_key;
    if (pinned !== null && pinned !== undefined && !Buffer.from(pinned).equals(key)) {
      throw new FoyerError('peer_key_changed', `${domain} shows a key other than the pinned one`, {
        domain,
      });
    }
    return key;
  }

  private async discoverAndPin(domain: string): Promise<Uint8Array> {
    const key = await this.discover(domain);
    await this.writer.run((tx) => this.store.pin(tx, domain, key, Date.now()));
    // Another request may have pinned first: the stored pin is the truth.
    const stored = this.store.peer(domain)?.public_key;
    if (stored === null || stored === undefined || !Buffer.from(stored).equals(key)) {
      throw new FoyerError('peer_key_changed', `${domain} shows a key other than the pinned one`, {
        domain,
      });
    }
    return key;
  }
}
