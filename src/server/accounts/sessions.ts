/**
 * Device sessions: a device proves it holds its key by signing a fresh server challenge,
 * and gets a bearer token. Only the token's hash is stored; tokens expire and die with
 * their device.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../storage/sqlite.ts';
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
  private readonly db: Db;
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
  constructor(db: Db, ttlMs: number, revocations?: Revocations) {
    this.db = db;
    this.ttlMs = ttlMs;
    this.revocations = revocations;
  }

  /** A single-use challenge for a live device. Unknown devices get one too (no oracle). */
  challenge(deviceId: string): { challenge: string; expiresAt: number } {
    const challenge = randomBytes(32);
    const expiresAt = Date.now() + CHALLENGE_TTL_MS;
    this.db
      .prepare('INSERT INTO challenges (challenge, device_id, expires_at) VALUES (?, ?, ?)')
      .run(challenge, deviceId, expiresAt);
    return { challenge: toBase64Url(challenge), expiresAt };
  }

  /** Opens a session when the device signed the challenge. @throws FoyerError */
  async open(
    deviceId: string,
    challenge: Uint8Array,
    signature: Uint8Array,
  ): Promise<{ token: string; expiresAt: number }> {
    const now = Date.now();
    const row = this.db
      .prepare('DELETE FROM challenges WHERE challenge = ? AND device_id = ? RETURNING expires_at')
      .get(challenge, deviceId) as { expires_at: number } | undefined;
    if (row === undefined || row.expires_at <= now) {
      throw new FoyerError('unauthenticated', 'unknown or expired challenge');
    }
    const device = this.db
      .prepare('SELECT signature_key, revoked_at FROM devices WHERE id = ?')
      .get(deviceId) as { signature_key: Uint8Array; revoked_at: number | null } | undefined;
    if (device === undefined) throw new FoyerError('unauthenticated', 'unknown device');
    if (device.revoked_at !== null) {
      throw new FoyerError('device_revoked', 'this device has been revoked');
    }
    const signed = concatBytes(utf8(SESSION_LABEL), challenge);
    if (!(await verify(device.signature_key, signed, signature))) {
      throw new FoyerError('bad_signature', 'challenge signature does not verify');
    }
    const token = toBase64Url(randomBytes(32));
    const expiresAt = now + this.ttlMs;
    this.db
      .prepare(
        'INSERT INTO sessions (token_hash, device_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      )
      .run(hashToken(token), deviceId, now, expiresAt);
    this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(now, deviceId);
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
      const row = this.db
        .prepare(
          `SELECT s.device_id, s.expires_at, u.id AS user_id, u.name
             FROM sessions s JOIN devices d ON d.id = s.device_id JOIN users u ON u.id = d.user_id
            WHERE s.token_hash = ? AND d.revoked_at IS NULL`,
        )
        .get(hash) as
        { device_id: string; expires_at: number; user_id: number; name: string } | undefined;
      if (row === undefined) throw new FoyerError('unauthenticated', 'unknown session token');
      s = {
        deviceId: row.device_id,
        userId: row.user_id,
        userName: row.name,
        expiresAt: row.expires_at,
      };
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
  close(token: string): void {
    const hash = hashToken(token);
    this.cache.delete(hash.toString('hex'));
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hash);
  }

  /** Forgets cached sessions of a device (after revocation deleted its rows). */
  forgetDevice(deviceId: string): void {
    for (const [k, s] of this.cache) if (s.deviceId === deviceId) this.cache.delete(k);
  }

  /** Drops expired challenges and sessions. */
  sweep(now = Date.now()): void {
    this.db.prepare('DELETE FROM challenges WHERE expires_at <= ?').run(now);
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
    for (const [k, s] of this.cache) if (s.expiresAt <= now) this.cache.delete(k);
  }
}
