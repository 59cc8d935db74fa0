/**
 * Device linking, both sides. The new device makes its device key, posts a sealed request
 * (device id + key) under the rendezvous id, and shows the code. The approving device opens
 * the request with the code, has the identity key sign the new device's binding, registers
 * the device with the server, and replies — sealed — with what the new device needs to act
 * as this user: the identity key pair, the credential, the account facts and the pins.
 * Each side checks what it got: the new device verifies the credential against the instance
 * key it fetched itself, and that the identity key pair it received is a working pair.
 */
import { signBytes, signDeviceBinding, generateSignatureKeyPair } from '../../mls/keys.ts';
import { verify } from '../../crypto/ed25519.ts';
import { equalBytes, fromBase64Url, randomBytes, toBase64Url } from '../../protocol/bytes.ts';
import type { DeviceBinding } from '../../protocol/credential.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { isDeviceId, isDomain, isUserName } from '../../protocol/names.ts';
import { checkOwnCredential, instanceKeyOf } from '../identity/account.ts';
import type { Clock } from '../core/clock.ts';
import type { EngineContext } from '../core/context.ts';
import { newDeviceId } from '../core/ids.ts';
import { linkChannel, linkQrPayload, newLinkCode, openLink, sealLink } from './linkCrypto.ts';
import type { AccountRecord, StoredKeyPair } from '../store/model.ts';
import { decodeVersioned, encodeRecord } from '../store/records.ts';
import type { Transport } from '../transport/transport.ts';
import type { Pin } from '../identity/trust.ts';

/** The rendezvous lives 10 minutes on the server. */
export const LINK_TIMEOUT_MS = 10 * 60_000;

interface LinkRequest {
  v: 1;
  deviceId: string;
  deviceKey: Uint8Array;
}

interface LinkReply {
  v: 1;
  user: string;
  domain: string;
  admin: boolean;
  identityKey: StoredKeyPair;
  credential: Uint8Array;
  instanceKey: Uint8Array;
  pins: Record<string, Pin>;
}

/**
 * The approving side: opens the request, registers the new device, replies.
 * @throws FoyerError not_found (no request under this code), crypto_failed (wrong code)
 */
export async function approveLinkRequest(ctx: EngineContext, code: string): Promise<string> {
  const ch = await linkChannel(code);
  const sealed = await ctx.transport.getLink(ch.rid);
  const req = decodeVersioned<LinkRequest>(
    await openLink(ch, 'request', sealed.sealed),
    'link request',
    1,
  );
  if (
    !isDeviceId(req.deviceId) ||
    !(req.deviceKey instanceof Uint8Array) ||
    req.deviceKey.length !== 32
  ) {
    throw new FoyerError('bad_request', 'malformed link request');
  }
  const a = ctx.account;
  const binding: DeviceBinding = {
    user: a.user,
    domain: a.domain,
    deviceId: req.deviceId,
    deviceKey: req.deviceKey,
    identityKey: a.identityKey.publicKey,
  };
  const res = await ctx.transport.addDevice({
    id: req.deviceId,
    signatureKey: toBase64Url(req.deviceKey),
    identityKey: toBase64Url(a.identityKey.publicKey),
    identitySignature: toBase64Url(await signDeviceBinding(a.identityKey, binding)),
  });
  const credential = fromBase64Url(res.credential);
  if (credential === undefined)
    throw new FoyerError('bad_reply', 'the server sent a malformed credential');
  // The instance may have rotated its key since this device registered: the credential is
  // checked against the keys its rotations lead to, and the new device gets the current one.
  const keys = await ownInstanceKeys(ctx, credential, binding);
  const reply: LinkReply = {
    v: 1,
    user: a.user,
    domain: a.domain,
    admin: a.admin,
    identityKey: a.identityKey,
    credential,
    instanceKey: keys.at(-1) ?? a.instanceKey,
    pins: await ctx.trust.allPins(),
  };
  await ctx.transport.postLinkReply(ch.rid, {
    sealed: await sealLink(ch, 'reply', encodeRecord(reply)),
  });
  return req.deviceId;
}

/**
 * Checks a credential the own server just issued against this instance's trusted keys,
 * following a rotation once if none verifies it.
 * @returns the keys trusted for this instance, the current last
 * @throws FoyerError bad_signature
 */
async function ownInstanceKeys(
  ctx: EngineContext,
  credential: Uint8Array,
  binding: DeviceBinding,
): Promise<readonly Uint8Array[]> {
  const domain = ctx.account.domain;
  const keys = await ctx.trust.instanceKeys(domain);
  try {
    await checkOwnCredential(credential, binding, keys);
    return keys;
  } catch (err) {
    if (!(err instanceof FoyerError) || !(await ctx.trust.refreshInstanceKeys(domain))) throw err;
  }
  const followed = await ctx.trust.instanceKeys(domain);
  await checkOwnCredential(credential, binding, followed);
  return followed;
}

export interface NewDeviceLink {
  account: AccountRecord;
  pins: Record<string, Pin>;
}

/**
 * The new device's side: posts the request, shows the code through `show`, waits for the
 * approval (polling), and checks the reply.
 * @throws FoyerError not_found when nobody approved in time; bad_signature on a bad reply
 */
export async function linkAsNewDevice(
  transport: Transport,
  clock: Clock,
  show: (code: string, qr: string) => void,
  signal?: AbortSignal,
): Promise<NewDeviceLink> {
  const instanceKey = instanceKeyOf(await transport.wellKnown());
  const deviceKey = await generateSignatureKeyPair();
  const deviceId = newDeviceId();
  const code = newLinkCode();
  const ch = await linkChannel(code);
  const req: LinkRequest = { v: 1, deviceId, deviceKey: deviceKey.publicKey };
  await transport.postLink(ch.rid, { sealed: await sealLink(ch, 'request', encodeRecord(req)) });
  show(code, linkQrPayload(transport.baseUrl, code));

  const deadline = clock.now() + LINK_TIMEOUT_MS;
  let sealed: string | undefined;
  for (let attempt = 0; ; attempt++) {
    sealed = (await transport.getLinkReply(ch.rid))?.sealed;
    if (sealed !== undefined) break;
    if (clock.now() >= deadline) {
      throw new FoyerError('not_found', 'no device approved this link in time; start again');
    }
    // Quick at first (the other device may be right there), then every 2 seconds.
    await clock.sleep(Math.min(200 * 2 ** attempt, 2000), signal);
  }
  const r = decodeVersioned<LinkReply>(await openLink(ch, 'reply', sealed), 'link reply', 1);
  if (
    !isUserName(r.user) ||
    !isDomain(r.domain) ||
    !(r.credential instanceof Uint8Array) ||
    !(r.instanceKey instanceof Uint8Array) ||
    typeof r.pins !== 'object'
  ) {
    throw new FoyerError('bad_request', 'malformed link reply');
  }
  if (!equalBytes(r.instanceKey, instanceKey)) {
    throw new FoyerError('bad_signature', 'the approving device pinned another instance key');
  }
  // The identity key pair must be a working pair: sign and verify a random challenge.
  const probe = randomBytes(32);
  if (!(await verify(r.identityKey.publicKey, probe, await signBytes(r.identityKey, probe)))) {
    throw new FoyerError('bad_signature', 'the identity key received does not work');
  }
  const binding: DeviceBinding = {
    user: r.user,
    domain: r.domain,
    deviceId,
    deviceKey: deviceKey.publicKey,
    identityKey: r.identityKey.publicKey,
  };
  await checkOwnCredential(r.credential, binding, instanceKey);
  return {
    account: {
      v: 1,
      server: transport.baseUrl,
      user: r.user,
      domain: r.domain,
      admin: r.admin,
      deviceId,
      deviceKey,
      identityKey: r.identityKey,
      credential: r.credential,
      instanceKey,
      createdAt: clock.now(),
    },
    pins: r.pins,
  };
}
