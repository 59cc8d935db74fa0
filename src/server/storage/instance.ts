/**
 * The instance's Ed25519 signing key: it signs device credentials and federation requests,
 * and is published at /.well-known/foyer. Created on the first start and kept in the
 * `instance` table, inside the encrypted database.
 *
 * An administrator may rotate it (`foyer federation rotate-key`, in its own process beside a
 * running server): the new key replaces the old one in `instance`, and a statement signed by
 * the old key (old key, new key, time) is kept in `instance_key_rotations`, the key history
 * that peers and clients follow (shared/protocol/keyRotation.ts). The old private key is not
 * kept: nothing needs it once the statement is signed, and a retired key that still exists
 * can still be stolen. The running server notices the rotation at its next use of the key.
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
import type { WriteTx } from './tx.ts';
import { rotationSignatureInput, type KeyRotation } from '../../shared/protocol/keyRotation.ts';

export interface InstanceKey {
  /** Raw 32-byte Ed25519 public key: the current one. */
  readonly publicKey: Uint8Array;
  /** Ed25519 signature (64 bytes) over `data`, by the current key. */
  sign(data: Uint8Array): Uint8Array;
  /** Every rotation of this instance's key, oldest first (empty if never rotated). */
  rotations(): KeyRotation[];
}

interface InstanceRow {
  signing_key_pkcs8: Uint8Array;
  signing_key_public: Uint8Array;
}

interface RotationRow {
  old_key: Uint8Array;
  new_key: Uint8Array;
  at: number;
  signature: Uint8Array;
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (jwk.x === undefined) throw new Error('Ed25519 public key without x');
  return new Uint8Array(Buffer.from(jwk.x, 'base64url'));
}

/** @throws StorageError internal when the stored key is damaged */
function privateKeyOf(row: InstanceRow): { privateKey: KeyObject; publicKey: Uint8Array } {
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
  return { privateKey, publicKey };
}

/**
 * Loads the instance key, creating it on the first start. The object it returns follows a
 * rotation made by another process: each use compares the stored public key (one indexed
 * read) with the one it holds and reloads when they differ.
 * @throws StorageError internal when the stored key is damaged.
 */
export function loadInstanceKey(db: Db, now: number = Date.now()): InstanceKey {
  const select = db.prepare<[], InstanceRow>(
    'SELECT signing_key_pkcs8, signing_key_public FROM instance WHERE id = 1',
  );
  const selectPublic = db
    .prepare<[], Uint8Array>('SELECT signing_key_public FROM instance WHERE id = 1')
    .pluck();
  const selectRotations = db.prepare<[], RotationRow>(
    'SELECT old_key, new_key, at, signature FROM instance_key_rotations ORDER BY seq',
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
  let current = privateKeyOf(row);
  const fresh = (): { privateKey: KeyObject; publicKey: Uint8Array } => {
    const stored = selectPublic.get();
    if (stored !== undefined && !Buffer.from(stored).equals(current.publicKey)) {
      const r = select.get();
      if (r !== undefined) current = privateKeyOf(r);
    }
    return current;
  };
  return {
    get publicKey() {
      return fresh().publicKey;
    },
    sign: (data) => new Uint8Array(sign(null, data, fresh().privateKey)),
    rotations: () =>
      selectRotations.all().map((r) => ({
        oldKey: new Uint8Array(r.old_key),
        newKey: new Uint8Array(r.new_key),
        at: r.at,
        signature: new Uint8Array(r.signature),
      })),
  };
}

/**
 * Replaces the instance key by a new one, in the caller's transaction: signs the rotation
 * statement with the old key, records it, and stores the new key in place of the old.
 * @returns the statement
 * @throws StorageError internal when there is no key yet or the stored one is damaged
 */
export function rotateInstanceKey(_tx: WriteTx, db: Db, now: number): KeyRotation {
  const row = db
    .prepare<[], InstanceRow>(
      'SELECT signing_key_pkcs8, signing_key_public FROM instance WHERE id = 1',
    )
    .get();
  if (row === undefined) throw new StorageError('internal', 'this instance has no key yet');
  const old = privateKeyOf(row);
  const { privateKey } = generateKeyPairSync('ed25519');
  const newKey = rawPublicKey(privateKey);
  // Never earlier than the last rotation, even if the clock went back: peers refuse a chain
  // whose time goes back.
  const last = db.prepare<[], number>('SELECT max(at) FROM instance_key_rotations').pluck().get();
  const at = Math.max(now, last ?? 0);
  const statement: KeyRotation = {
    oldKey: old.publicKey,
    newKey,
    at,
    signature: new Uint8Array(
      sign(null, rotationSignatureInput({ oldKey: old.publicKey, newKey, at }), old.privateKey),
    ),
  };
  db.prepare(
    'INSERT INTO instance_key_rotations (old_key, new_key, at, signature) VALUES (?, ?, ?, ?)',
  ).run(
    Buffer.from(statement.oldKey),
    Buffer.from(statement.newKey),
    at,
    Buffer.from(statement.signature),
  );
  db.prepare('UPDATE instance SET signing_key_pkcs8 = ?, signing_key_public = ? WHERE id = 1').run(
    privateKey.export({ format: 'der', type: 'pkcs8' }),
    Buffer.from(newKey),
  );
  return statement;
}
