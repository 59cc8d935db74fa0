/**
 * Device sessions: a device proves it holds its key by signing a fresh server challenge,
 * and gets a bearer token. Only the token's hash is stored; tokens expire and die with
 * their device.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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
const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
const CACHE_MAX = 4096;
/** Sessions one device may hold; opening one more ends its oldest. */
export const MAX_SESSIONS_PER_DEVICE = 8;
/** Same answer for an unknown device, a revoked one, a bad signature and a bad challenge. */
const REFUSED = 'the challenge, device or signature is not valid';
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
   * Challenges are stateless (a nonce, an expiry and a MAC under this process's key), so an
   * anonymous caller writes nothing; only challenges already used to open a session are
   * remembered, until they expire, to refuse a replay.
   */
  private readonly challengeKey = randomBytes(32);
  private readonly usedChallenges = new Map<string, number>();

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

  /**
   * A single-use challenge for a device: 8 random bytes, the expiry (8 bytes) and a 16-byte
   * MAC binding both to the device id. Unknown devices get one too (no oracle), and nothing
   * is stored: anonymous calls cannot grow the database or memory.
   */
  challenge(deviceId: string, now = Date.now()): { challenge: string; expiresAt: number } {
    const expiresAt = now + CHALLENGE_TTL_MS;
    const body = Buffer.alloc(16);
    randomBytes(8).copy(body, 0);
    body.writeBigUInt64BE(BigInt(expiresAt), 8);
    return {
      challenge: toBase64Url(Buffer.concat([body, this.challengeMac(deviceId, body)])),
      expiresAt,
    };
  }

  /** Opens a session when the device signed the challenge. @throws FoyerError unauthenticated */
  async open(
    deviceId: string,
    challenge: Uint8Array,
    signature: Uint8Array,
  ): Promise<{ token: string; expiresAt: number }> {
    const now = Date.now();
    const c = Buffer.from(challenge);
    if (c.length !== 32) throw new FoyerError('unauthenticated', REFUSED);
    const body = c.subarray(0, 16);
    const expiresAt = Number(body.readBigUInt64BE(8));
    const key = c.toString('hex');
    if (
      !timingSafeEqual(c.subarray(16), this.challengeMac(deviceId, body)) ||
      expiresAt <= now ||
      this.usedChallenges.has(key)
    ) {
      throw new FoyerError('unauthenticated', REFUSED);
    }
    const device = this.stores.users.device(deviceId);
    const signed = concatBytes(utf8(SESSION_LABEL), challenge);
    // Unknown and wrongly signed read the same: device ids are not an oracle. Only the holder
    // of a revoked device's key learns that it was revoked (so that it signs out for good).
    if (device === undefined || !(await verify(device.signatureKey, signed, signature))) {
      throw new FoyerError('unauthenticated', REFUSED);
    }
    if (device.revokedAt !== null) {
      throw new FoyerError('device_revoked', 'this device has been revoked');
    }
    if (this.stores.users.isDisabled(device.userId)) {
      throw new FoyerError('account_disabled', 'this account is disabled by the administrator');
    }
    if (this.usedChallenges.has(key)) throw new FoyerError('unauthenticated', REFUSED);
    this.usedChallenges.set(key, expiresAt);
    const token = toBase64Url(randomBytes(32));
    // Kept to the hour (the session lasts up to an hour longer): a device's session rows are
    // not a log of its logins to the millisecond.
    const hour = now - (now % HOUR_MS);
    const tokenExpiresAt = hour + HOUR_MS + this.ttlMs;
    const { sessions, users } = this.stores;
    await this.writer.run((tx) => {
      sessions.insertSession(tx, {
        tokenHash: hashToken(token),
        deviceId,
        createdAt: hour,
        expiresAt: tokenExpiresAt,
      });
      for (const old of sessions.tokenHashesBeyond(deviceId, MAX_SESSIONS_PER_DEVICE)) {
        this.forget(old);
        sessions.deleteSession(tx, old);
      }
      // The day only: enough for "last seen" in a device list, not a log of each login.
      users.touchDevice(tx, deviceId, now - (now % DAY_MS));
    });
    return { token, expiresAt: tokenExpiresAt };
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
    // Disabling deleted the session rows too; the holder learns why (as for a revocation).
    if (this.revocations?.isDisabled(s.deviceId) === true) {
      this.cache.delete(key);
      throw new FoyerError('account_disabled', 'this account is disabled by the administrator');
    }
    return { deviceId: s.deviceId, userId: s.userId, userName: s.userName };
  }

  /** Ends one session. */
  async close(token: string): Promise<void> {
    const hash = hashToken(token);
    this.forget(hash);
    await this.writer.run((tx) => this.stores.sessions.deleteSession(tx, hash));
  }

  /** Drops a session from the cache (its row is deleted by the caller). */
  private forget(tokenHash: Uint8Array): void {
    this.cache.delete(Buffer.from(tokenHash).toString('hex'));
  }

  private challengeMac(deviceId: string, body: Buffer): Buffer {
    return createHmac('sha256', this.challengeKey)
      .update(`foyer/v1 challenge\0${deviceId}\0`)
      .update(body)
      .digest()
      .subarray(0, 16);
  }

  /** Forgets cached sessions of a device (after revocation deleted its rows). */
  forgetDevice(deviceId: string): void {
    for (const [k, s] of this.cache) if (s.deviceId === deviceId) this.cache.delete(k);
  }

  /** Drops expired sessions (inside the sweep's write batch) and used challenges. */
  sweep(tx: WriteTx, now = Date.now()): void {
    for (const [k, exp] of this.usedChallenges) if (exp <= now) this.usedChallenges.delete(k);
    this.stores.sessions.deleteExpired(tx, now);
    for (const [k, s] of this.cache) if (s.expiresAt <= now) this.cache.delete(k);
  }
}
