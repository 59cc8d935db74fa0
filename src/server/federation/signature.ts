/**
 * Signed server-to-server requests: RFC 9421 HTTP Message Signatures with the instance's
 * Ed25519 key, over the method, the canonical target (`https://<receiving domain><path>`, so
 * a request signed for one instance cannot be replayed to another, whatever address carried
 * it), the RFC 9530 `Content-Digest` of the body, and the `Foyer-Origin` header (the sending
 * domain), with `created`, `keyid` (the sending domain) and a random `nonce`.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  createSignatureSync,
  isSignatureError,
  verifySignature,
  type FieldOccurrence,
  type RequestDescriptor,
} from 'http-message-sig';
import { FoyerError } from '../../shared/protocol/errors.ts';

/** The components every federation request signs, in this order. */
export const SIGNED_COMPONENTS = [
  '@method',
  '@target-uri',
  'content-digest',
  'foyer-origin',
] as const;
/** Requests older (or further in the future) than this are refused. */
export const REPLAY_WINDOW_SECONDS = 300;
const ALG = 'ed25519';
const LABEL = 'foyer';

/** RFC 9530 `Content-Digest` of a body (sha-256). */
export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** The URI both sides sign for a path on instance `domain`. */
export function canonicalTarget(domain: string, path: string): string {
  return `https://${domain}${path}`;
}

/** A raw 32-byte Ed25519 public key as a KeyObject. */
export function publicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new FoyerError('bad_signature', 'an instance key is 32 bytes');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

/** The headers to send with a signed request. */
export interface SignedHeaders {
  'content-digest': string;
  'foyer-origin': string;
  signature: string;
  'signature-input': string;
}

/**
 * Signs a request from instance `origin` to instance `target`.
 * @param signer the instance key's signing function (64-byte Ed25519 signatures)
 */
export function signRequest(opts: {
  method: string;
  origin: string;
  target: string;
  path: string;
  body: Uint8Array;
  signer: (data: Uint8Array) => Uint8Array;
  nowSeconds: number;
}): SignedHeaders {
  const digest = contentDigest(opts.body);
  const fields: FieldOccurrence[] = [
    { name: 'content-digest', value: digest },
    { name: 'foyer-origin', value: opts.origin },
  ];
  const message: RequestDescriptor = {
    kind: 'request',
    method: opts.method,
    targetUri: canonicalTarget(opts.target, opts.path),
    fields,
  };
  const sig = createSignatureSync(message, {
    label: LABEL,
    components: [...SIGNED_COMPONENTS],
    parameters: {
      created: opts.nowSeconds,
      keyid: opts.origin,
      alg: ALG,
      nonce: randomBytes(16).toString('base64url'),
    },
    signer: { algorithm: ALG, sign: opts.signer },
  });
  return {
    'content-digest': digest,
    'foyer-origin': opts.origin,
    signature: sig.signature,
    'signature-input': sig.signatureInput,
  };
}

/** What a verified request proves. */
export interface VerifiedRequest {
  /** The sending instance's domain (its `keyid`, equal to `Foyer-Origin`). */
  origin: string;
  /** The signature's nonce, for the replay cache. */
  nonce: string;
  created: number;
}

/**
 * Verifies a request received by instance `self`.
 * @param keyFor resolves the origin's pinned (or freshly discovered) public key
 * @throws FoyerError bad_signature for any missing, malformed, stale or wrong signature, or
 * a body that does not match its digest
 */
export async function verifyRequest(opts: {
  method: string;
  self: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  keyFor: (origin: string) => Promise<KeyObject>;
  nowSeconds: number;
}): Promise<VerifiedRequest> {
  const one = (name: string): string => {
    const v = opts.headers[name];
    if (typeof v !== 'string' || v.length === 0 || v.length > 4096) {
      throw new FoyerError('bad_signature', `missing or malformed ${name} header`);
    }
    return v;
  };
  const digest = one('content-digest');
  const origin = one('foyer-origin');
  if (digest !== contentDigest(opts.body)) {
    throw new FoyerError('bad_signature', 'the body does not match its Content-Digest');
  }
  const message: RequestDescriptor = {
    kind: 'request',
    method: opts.method,
    targetUri: canonicalTarget(opts.self, opts.path),
    fields: [
      { name: 'content-digest', value: digest },
      { name: 'foyer-origin', value: origin },
      { name: 'signature', value: one('signature') },
      { name: 'signature-input', value: one('signature-input') },
    ],
  };
  try {
    const verified = await verifySignature(message, {
      label: LABEL,
      policy: {
        algorithms: [ALG],
        requiredComponents: [...SIGNED_COMPONENTS],
        requiredParameters: ['created', 'keyid', 'nonce', 'alg'],
        maxAge: REPLAY_WINDOW_SECONDS,
        clockSkew: 30,
        now: opts.nowSeconds,
      },
      async resolveVerifier(candidate) {
        if (candidate.parameters.keyid !== origin) {
          throw new FoyerError('bad_signature', 'keyid does not name the Foyer-Origin');
        }
        const key = await opts.keyFor(origin);
        return {
          algorithm: ALG,
          verify: (data: Uint8Array, signature: Uint8Array) =>
            signature.length === 64 && verify(null, data, key, signature),
        };
      },
    });
    const { nonce, created } = verified.parameters;
    if (typeof nonce !== 'string' || typeof created !== 'number') {
      throw new FoyerError('bad_signature', 'signature parameters are malformed');
    }
    return { origin, nonce, created };
  } catch (err) {
    if (err instanceof FoyerError) throw err;
    // A resolver failure wraps our own error (an unknown or changed key): keep its code.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof FoyerError) throw cause;
    if (isSignatureError(err)) {
      throw new FoyerError('bad_signature', `signature refused: ${err.code}`, { reason: err.code });
    }
    throw err;
  }
}

/** Test helper kept here so tests and the sender build keys the same way. */
export function keyPairFromSeed(seed: Uint8Array): {
  privateKey: KeyObject;
  publicKey: Uint8Array;
} {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { privateKey, publicKey: new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url')) };
}

/** A signing function over a private KeyObject. */
export function signerOf(privateKey: KeyObject): (data: Uint8Array) => Uint8Array {
  return (data) => new Uint8Array(sign(null, data, privateKey));
}
