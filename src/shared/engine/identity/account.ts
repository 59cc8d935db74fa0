/**
 * Registration: the first device of a user creates the identity key and its own device
 * key, has the identity key sign the device binding, redeems the invite, and pins the
 * instance key it got from /.well-known/foyer — after checking that the credential the
 * server returned really is signed by that key for that binding.
 */
import {
  generateSignatureKeyPair,
  signBytes,
  signDeviceBinding,
  type SignatureKeyPair,
} from '../../mls/keys.ts';
import {
  checkCredentialSignatures,
  decodeCredential,
  type DeviceBinding,
} from '../../protocol/credential.ts';
import { equalBytes, fromBase64Url, toBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { isUserName } from '../../protocol/names.ts';
import type { WellKnown } from '../../protocol/api.ts';
import { newDeviceId } from '../core/ids.ts';
import type { AccountRecord } from '../store/model.ts';
import type { DeviceSigner, Transport } from '../transport/transport.ts';
import { INVITE_CODE_RE } from './invite.ts';

/** The instance key a server publishes. @throws FoyerError bad_reply when malformed */
export function instanceKeyOf(wk: WellKnown): Uint8Array {
  const key = fromBase64Url(wk.instanceKey);
  if (key === undefined || key.length !== 32) {
    throw new FoyerError('bad_reply', 'the server published a malformed instance key');
  }
  return key;
}

/**
 * Checks that a credential binds exactly what we asked for and carries valid identity and
 * instance signatures. @throws FoyerError bad_signature
 */
export async function checkOwnCredential(
  bytes: Uint8Array,
  binding: DeviceBinding,
  instanceKey: Uint8Array | readonly Uint8Array[],
): Promise<void> {
  const c = decodeCredential(bytes);
  if (
    c.user !== binding.user ||
    c.domain !== binding.domain ||
    c.deviceId !== binding.deviceId ||
    !equalBytes(c.deviceKey, binding.deviceKey) ||
    !equalBytes(c.identityKey, binding.identityKey)
  ) {
    throw new FoyerError('bad_signature', 'the server returned a credential for something else');
  }
  const bad = await checkCredentialSignatures(c, instanceKey);
  if (bad !== undefined) throw new FoyerError('bad_signature', `the server's credential: ${bad}`);
}

export function deviceSigner(account: Pick<AccountRecord, 'deviceId' | 'deviceKey'>): DeviceSigner {
  return { deviceId: account.deviceId, sign: (m) => signBytes(account.deviceKey, m) };
}

/**
 * Registers a new user with an invite and returns the account to store.
 * @throws FoyerError invalid_name, invite_invalid, name_taken, instance_full, network…
 */
export async function registerAccount(
  transport: Transport,
  name: string,
  invite: string,
  now: number,
): Promise<AccountRecord> {
  if (!isUserName(name)) {
    throw new FoyerError('invalid_name', 'a user name is 1 to 32 of a-z 0-9 . _ -');
  }
  if (!INVITE_CODE_RE.test(invite))
    throw new FoyerError('invite_invalid', 'invite code is not valid');
  const wk = await transport.wellKnown();
  const instanceKey = instanceKeyOf(wk);
  const identityKey: SignatureKeyPair = await generateSignatureKeyPair();
  const deviceKey: SignatureKeyPair = await generateSignatureKeyPair();
  const deviceId = newDeviceId();
  const binding: DeviceBinding = {
    user: name,
    domain: wk.domain,
    deviceId,
    deviceKey: deviceKey.publicKey,
    identityKey: identityKey.publicKey,
  };
  const res = await transport.register({
    invite,
    name,
    device: {
      id: deviceId,
      signatureKey: toBase64Url(deviceKey.publicKey),
      identityKey: toBase64Url(identityKey.publicKey),
      identitySignature: toBase64Url(await signDeviceBinding(identityKey, binding)),
    },
  });
  const returnedKey = fromBase64Url(res.instanceKey);
  if (returnedKey === undefined || !equalBytes(returnedKey, instanceKey)) {
    throw new FoyerError('bad_signature', 'the server answered with another instance key');
  }
  const credential = fromBase64Url(res.credential);
  if (credential === undefined)
    throw new FoyerError('bad_reply', 'the server sent a malformed credential');
  await checkOwnCredential(credential, binding, instanceKey);
  return {
    v: 1,
    server: transport.baseUrl,
    user: name,
    domain: wk.domain,
    admin: res.user.admin,
    deviceId,
    deviceKey,
    identityKey,
    credential,
    instanceKey,
    createdAt: now,
  };
}
