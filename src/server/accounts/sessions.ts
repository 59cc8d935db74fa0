/**
 * Device sessions: a device proves it holds its key by signing a fresh server challenge,
 * and gets a bearer token. Only the token's hash is stored; tokens expire and die with
 * their device.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WriteTx } from '../storage/tx.ts';
import type { Writer } from '../writer.ts';
import type { AccountStores } from './store/index.ts';
import { SESSION_LABEL } from '../../shared/protocol/api.ts';
import { concatBytes, toBase64Url, utf8 } from '../../shared/protocol/bytes.ts';
import { verify } from '../../shared/crypto/ed25519.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Caller } from './accounts.ts';
import type { Revocations } from './revocations.ts';

const CHALLENGE_TTL_MS = 2 * 60 * 1000;
const CACHE_MAX = 4096;
/**
 * How stale the revocations seen by authentication may be. Checking costs a read
 * transaction (about 3 µs); at most four times a second keeps it off the per-request path.
 */
const REVOCATION_CHECK_MS = 250;
export const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

interface CachedSession extends Caller {
  expiresAt: number;
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export class Sessions {
  private readonly stores: AccountStores;
  private readonly writer: Writer;
  private readonly ttlMs: number;
  /** token hash (hex) → session; avoids a query per request on the hot path. */
  private readonly cache = new Map<string, CachedSession>();
  private readonly revocations: Revocations | undefined;
  private refreshedAt = 0;

  /**
   * With `revocations`, authentication picks up revocations committed by another process
   * (`foyer user remove`) at most REVOCATION_CHECK_MS late, so a cached session does not
   * outlive its device.
   */
  constructor(stores: AccountStores, writer: Writer, ttlMs: number, revocations?: Revocations) {
    this.stores = stores;
    this.writer = writer;
    this.ttlMs = ttlMs;
    this.revocations = revocations;
  }

  /** A single-use challenge for a live device. Unknown devices get one too (no oracle). */
  async challenge(deviceId: string): Promise<{ challenge: string; expiresAt: number }> {
    const challenge = randomBytes(32);
    const expiresAt = Date.now() + CHALLENGE_TTL_MS;
    await this.writer.run((tx) =>
      this.stores.sessions.insertChallenge(tx, challenge, deviceId, expiresAt),
    );
    return { challenge: toBase64Url(challenge), expiresAt };
  }

  /** Opens a session when the device signed the challenge. @throws FoyerError */
  async open(
    deviceId: string,
    challenge: Uint8Array,
    signature: Uint8Array,
  ): Promise<{ token: string; expiresAt: number }> {
    const now = Date.now();
    const expires = this.stores.sessions.challengeExpiry(challenge, deviceId);
    if (expires === undefined || expires <= now) {
      throw new FoyerError('unauthenticated', 'unknown or expired challenge');
    }
    const device = this.stores.users.device(deviceId);
    if (device === undefined) throw new FoyerError('unauthenticated', 'unknown device');
    if (device.revokedAt !== null) {
      throw new FoyerError('device_revoked', 'this device has been revoked');
    }
    const signed = concatBytes(utf8(SESSION_LABEL), challenge);
    if (!(await verify(device.signatureKey, signed, signature))) {
      // A refused attempt spends the challenge too: each one is tried once.
      await this.writer.run((tx) => this.stores.sessions.takeChallenge(tx, challenge, deviceId));
      throw new FoyerError('bad_signature', 'challenge signature does not verify');
    }
    const token = toBase64Url(randomBytes(32));
    const expiresAt = now + this.ttlMs;
    // Spending the challenge and opening the session commit together (one batch).
    await this.writer.run((tx) => {
      if (this.stores.sessions.takeChallenge(tx, challenge, deviceId) === undefined) {
        throw new FoyerError('unauthenticated', 'unknown or expired challenge');
      }
      this.stores.sessions.insertSession(tx, {
        tokenHash: hashToken(token),
        deviceId,
        createdAt: now,
        expiresAt,
      });
      this.stores.users.touchDevice(tx, deviceId, now);
    });
    return { token, expiresAt };
  }

  /** The caller behind a bearer token. @throws FoyerError unauthenticated */
  authenticate(token: string | undefined): Caller {
    if (token === undefined || !TOKEN_RE.test(token)) {
      throw new FoyerError('unauthenticated', 'a valid session token is required');
    }
    const hash = hashToken(token);
    const key = hash.toString('hex');
    const now = Date.now();
    if (this.revocations !== undefined && now - this.refreshedAt >= REVOCATION_CHECK_MS) {
      this.refreshedAt = now;
      this.revocations.refresh();
    }
    let s = this.cache.get(key);
    if (s === undefined) {
      const row = this.stores.sessions.byTokenHash(hash);
      if (row === undefined) throw new FoyerError('unauthenticated', 'unknown session token');
      s = { ...row };
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(key, s);
    }
    if (s.expiresAt <= now) {
      this.cache.delete(key);
      throw new FoyerError('unauthenticated', 'session expired');
    }
    // The revocation deleted the session row: same answer as for any unknown token.
    if (this.revocations?.has(s.deviceId) === true) {
      this.cache.delete(key);
      throw new FoyerError('unauthenticated', 'unknown session token');
    }
    return { deviceId: s.deviceId, userId: s.userId, userName: s.userName };
  }

  /** Ends one session. */
  async close(token: string): Promise<void> {
    const hash = hashToken(token);
    this.cache.delete(hash.toString('hex'));
    await this.writer.run((tx) => this.stores.sessions.deleteSession(tx, hash));
  }

  /** Forgets cached sessions of a device (after revocation deleted its rows). */
  forgetDevice(deviceId: string): void {
    for (const [k, s] of this.cache) if (s.deviceId === deviceId) this.cache.delete(k);
  }

  /** Drops expired challenges and sessions (inside the sweep's write batch). */
  sweep(tx: WriteTx, now = Date.now()): void {
    this.stores.sessions.deleteExpired(tx, now);
    for (const [k, s] of this.cache) if (s.expiresAt <= now) this.cache.delete(k);
  }
}
