/**
 * Peer instances: where each is reached, its discovery document, and its key, pinned in the
 * encrypted database on first contact. A pinned key is replaced only by following the peer's
 * rotations, each signed by the key it replaces, from the pinned key to the one its discovery
 * document shows (shared/protocol/keyRotation.ts); any other key is refused
 * (`peer_key_changed`).
 */
import type { KeyObject } from 'node:crypto';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { fromBase64Url } from '../../shared/protocol/bytes.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/api.ts';
import type { Writer } from '../writer.ts';
import type { FederationStore } from './store.ts';
import { publicKeyObject } from './signature.ts';
import {
  followRotations,
  parseRotations,
  type KeyRotation,
} from '../../shared/protocol/keyRotation.ts';

/**
 * A discovery document is small, even with a long rotation chain (~230 bytes a statement);
 * anything larger is refused unread.
 */
const MAX_DISCOVERY_BYTES = 256 * 1024;
const DISCOVERY_TIMEOUT_MS = 5_000;
/**
 * How long the outcome of a key refresh caused by a request that did not verify is reused:
 * such a request makes the server look again (the peer may have rotated), at most once in
 * this time per peer, so forged requests cannot make this instance hammer a peer's discovery.
 */
export const REFRESH_INTERVAL_MS = 10_000;

/** A discovery document, checked. */
export interface Discovered {
  key: Uint8Array;
  rotations: KeyRotation[];
}

export class Peers {
  private readonly store: FederationStore;
  private readonly writer: Writer;
  private readonly map: Readonly<Record<string, string>>;
  /** Discoveries in flight, so concurrent first contacts fetch once. */
  private readonly pending = new Map<string, Promise<Uint8Array>>();
  /** The last refresh per peer and when it started (reused for REFRESH_INTERVAL_MS). */
  private readonly refreshes = new Map<string, { at: number; outcome: Promise<Uint8Array> }>();

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
   * Fetches and checks the discovery document (not against the pin: see {@link refresh}).
   * @throws FoyerError peer_unreachable
   */
  async discover(domain: string): Promise<Discovered> {
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
    const d = doc as {
      domain?: unknown;
      instanceKey?: unknown;
      protocol?: unknown;
      rotations?: unknown;
    };
    const key = typeof d.instanceKey === 'string' ? fromBase64Url(d.instanceKey) : undefined;
    const invalid = (): FoyerError =>
      new FoyerError('peer_unreachable', `the discovery document of ${domain} is invalid`, {
        domain,
      });
    if (d.domain !== domain || d.protocol !== PROTOCOL_VERSION || key?.length !== 32) {
      throw invalid();
    }
    let rotations: KeyRotation[];
    try {
      rotations = parseRotations(d.rotations);
    } catch {
      throw invalid();
    }
    return { key, rotations };
  }

  /**
   * Looks at the peer's discovery document again and follows its rotations from the pinned
   * key to its current one: each statement is recorded and the new key pinned.
   * @returns the key pinned now
   * @throws FoyerError peer_key_changed when the document shows a key the pinned one does not
   * lead to by valid rotations; peer_unreachable
   */
  refresh(domain: string): Promise<Uint8Array> {
    return this.follow(domain);
  }

  /**
   * {@link refresh} after a request that did not verify under the pinned key (the peer may
   * have rotated): its outcome is reused for {@link REFRESH_INTERVAL_MS}, so requests signed
   * by a wrong key — anyone can send them — cannot make this instance hammer a peer.
   */
  refreshAfterFailure(domain: string, now: number = Date.now()): Promise<Uint8Array> {
    const last = this.refreshes.get(domain);
    if (last !== undefined && now - last.at < REFRESH_INTERVAL_MS) return last.outcome;
    const outcome = this.follow(domain);
    // A rejection is reused too; mark it handled so an unawaited copy is no crash.
    outcome.catch(() => {});
    this.refreshes.set(domain, { at: now, outcome });
    return outcome;
  }

  private async follow(domain: string): Promise<Uint8Array> {
    const pinned = this.store.peer(domain)?.public_key;
    if (pinned === null || pinned === undefined) return this.rawKeyFor(domain);
    const from = new Uint8Array(pinned);
    const doc = await this.discover(domain);
    const followed = await followRotations(domain, from, doc.key, doc.rotations);
    if (followed.length === 0) return from;
    await this.writer.run((tx) => this.store.rotate(tx, domain, from, followed, Date.now()));
    // Another request may have moved the pin meanwhile: the stored pin is the truth.
    return new Uint8Array(this.store.peer(domain)?.public_key ?? from);
  }

  private async discoverAndPin(domain: string): Promise<Uint8Array> {
    const { key, rotations } = await this.discover(domain);
    const history = await earlierRotations(domain, key, rotations);
    await this.writer.run((tx) => {
      const stored = this.store.peer(domain)?.public_key;
      if (stored !== null && stored !== undefined) return;
      this.store.pin(tx, domain, key, Date.now());
      // The statements that lead to the first key pinned here, so a client of this instance
      // meeting the peer for the first time also trusts the credentials it signed before.
      this.store.recordRotations(tx, domain, history, Date.now());
    });
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

/** The whole chain up to `key` when it verifies from its first statement; none otherwise. */
async function earlierRotations(
  domain: string,
  key: Uint8Array,
  rotations: readonly KeyRotation[],
): Promise<KeyRotation[]> {
  const first = rotations[0];
  if (first === undefined) return [];
  try {
    return await followRotations(domain, first.oldKey, key, rotations);
  } catch (err) {
    if (err instanceof FoyerError && err.code === 'peer_key_changed') return [];
    throw err;
  }
}
