/**
 * The instance's Ed25519 signing key: it signs device credentials and federation requests,
 * and is published at /.well-known/foyer. Created on the first start and kept in the
 * `instance` table, inside the encrypted database.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import type { Db } from './sqlite.ts';
import { StorageError } from './errors.ts';

export interface InstanceKey {
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** Ed25519 signature (64 bytes) over `data`. */
  sign(data: Uint8Array): Uint8Array;
}

interface InstanceRow {
  signing_key_pkcs8: Uint8Array;
  signing_key_public: Uint8Array;
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (jwk.x === undefined) throw new Error('Ed25519 public key without x');
  return new Uint8Array(Buffer.from(jwk.x, 'base64url'));
}

function toInstanceKey(privateKey: KeyObject, publicKey: Uint8Array): InstanceKey {
  return {
    publicKey,
    sign: (data) => new Uint8Array(sign(null, data, privateKey)),
  };
}

/**
 * Loads the instance key, creating it on the first start.
 * @throws StorageError internal when the stored key is damaged.
 */
export function loadInstanceKey(db: Db, now: number = Date.now()): InstanceKey {
  const select = db.prepare<[], InstanceRow>(
    'SELECT signing_key_pkcs8, signing_key_public FROM instance WHERE id = 1',
  );
  let row = select.get();
  if (row === undefined) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    // At start-up, before the server's writer exists: this one statement autocommits.
    // OR IGNORE: if another process created the key meanwhile, theirs wins and is read below.
    db.prepare(
      'INSERT OR IGNORE INTO instance (id, signing_key_pkcs8, signing_key_public, created_at) VALUES (1, ?, ?, ?)',
    ).run(pkcs8, Buffer.from(rawPublicKey(privateKey)), now);
    row = select.get();
    if (row === undefined) throw new StorageError('internal', 'the instance key was not stored');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: Buffer.from(row.signing_key_pkcs8),
      format: 'der',
      type: 'pkcs8',
    });
  } catch (err) {
    throw new StorageError(
      'internal',
      `the stored instance key is damaged: ${(err as Error).message}`,
    );
  }
  const publicKey = rawPublicKey(privateKey);
  if (
    privateKey.asymmetricKeyType !== 'ed25519' ||
    !Buffer.from(publicKey).equals(row.signing_key_public)
  ) {
    throw new StorageError(
      'internal',
      'the stored instance key is damaged: its public half does not match',
    );
  }
  return toInstanceKey(privateKey, publicKey);
}
