/**
 * Signed calls to a peer instance's federation API (lookups, key-package claims, forwarded
 * submissions), answered synchronously. The peer's refusal comes back as a FoyerError with
 * the peer's own code and details, so a client sees the hub's `wrong_epoch` exactly as it
 * would locally; a peer that cannot be reached, or answers nonsense, is `peer_unreachable`
 * (transient: the client's outbox retries it).
 */
import { FoyerError, type ErrorCode } from '../../shared/protocol/errors.ts';
import type { Peers } from './peers.ts';
import { signRequest } from './signature.ts';
import { networkReason } from './networkReason.ts';

const REQUEST_TIMEOUT_MS = 15_000;
/** Answers to lookups, claims and submissions are small; a larger one is refused unread. */
const MAX_ANSWER_BYTES = 256 * 1024;
/**
 * The peer's refusals that mean the same to the device as they would from its own server.
 * Any other code (the peer refusing this instance's signature, say) is about the link
 * between instances, not the device's request: it becomes `peer_unreachable`, never an
 * `unauthenticated` that would make the device drop its own session.
 */
const PASSED_ON: ReadonlySet<string> = new Set<ErrorCode>([
  'bad_request',
  'payload_too_large',
  'invalid_name',
  'forbidden',
  'not_member',
  'wrong_epoch',
  'not_found',
  'no_key_package',
  'limit_reached',
  'mailbox_full',
  'storage_full',
  'rate_limited',
  'federation_unavailable',
  'federation_denied',
]);

export class PeerClient {
  private readonly peers: Peers;
  private readonly self: string;
  /** This instance's domain (the origin of its requests). */
  get domain(): string {
    return this.self;
  }
  private readonly sign: (data: Uint8Array) => Uint8Array;

  constructor(opts: { peers: Peers; self: string; sign: (data: Uint8Array) => Uint8Array }) {
    this.peers = opts.peers;
    this.self = opts.self;
    this.sign = opts.sign;
  }

  /**
   * One signed request to `domain`; resolves with the JSON answer of a 2xx.
   * @throws FoyerError the peer's code when it refused; federation_denied for a denied peer;
   * peer_unreachable when it could not be reached or its answer is not understood
   */
  async call(
    domain: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    opts: { maxAnswerBytes?: number } = {},
  ): Promise<unknown> {
    this.peers.assertAllowed(domain);
    const raw =
      body === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(body));
    const headers = signRequest({
      method,
      origin: this.self,
      target: domain,
      path,
      body: raw,
      signer: this.sign,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.peers.baseUrl(domain)}${path}`, {
        method,
        headers:
          body === undefined ? { ...headers } : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : raw,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        redirect: 'error',
      });
      text = await res.text();
    } catch (err) {
      throw unreachable(domain, `network: ${networkReason(err)}`);
    }
    if (text.length > (opts.maxAnswerBytes ?? MAX_ANSWER_BYTES)) {
      throw unreachable(domain, 'answer too large');
    }
    let json: unknown;
    try {
      json = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw unreachable(domain, `status ${res.status}, not JSON`);
    }
    if (res.ok) return json;
    const e = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error;
    if (e?.code === 'federation_denied') {
      // The peer's own words would name this instance ("instance <us> is denied here"):
      // the device is told which instance refuses it, and that it is that one's choice.
      throw new FoyerError(
        'federation_denied',
        `${domain} does not accept requests from this instance (its administrator denied it)`,
        { domain, deniedBy: 'peer' },
      );
    }
    if (typeof e?.code === 'string' && PASSED_ON.has(e.code)) {
      const details =
        typeof e.details === 'object' && e.details !== null
          ? (e.details as Record<string, unknown>)
          : undefined;
      const message = typeof e.message === 'string' ? e.message.slice(0, 300) : e.code;
      throw new FoyerError(e.code as ErrorCode, `${domain}: ${message}`, details);
    }
    throw unreachable(
      domain,
      typeof e?.code === 'string' ? e.code.slice(0, 40) : `status ${res.status}`,
    );
  }
}

function unreachable(domain: string, reason: string): FoyerError {
  return new FoyerError('peer_unreachable', `${domain} cannot be reached (${reason})`, {
    domain,
    reason,
  });
}
