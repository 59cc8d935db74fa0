/**
 * Every `/api/v1` reply the client reads, parsed into its typed shape (protocol/api.ts), as
 * the server parses requests (server/http/parse.ts): no reply reaches the engine as an
 * unchecked cast. A reply of the wrong shape is `bad_reply`, naming the field.
 */
import type {
  AddDeviceResponse,
  ChallengeResponse,
  ClaimedKeyPackages,
  DeviceInfo,
  GroupStatus,
  InstanceInfo,
  KeyPackageCount,
  LinkPayload,
  MailboxItem,
  MailboxPage,
  RegisterResponse,
  SessionResponse,
  SubmitResponse,
  UserInfo,
  WellKnown,
} from '../../protocol/api.ts';
import { ReplyFields } from './replyFields.ts';
import { parseRotations, type KeyRotationJson } from '../../protocol/keyRotation.ts';
import { FoyerError } from '../../protocol/errors.ts';

/** Credentials, keys and signatures: a few hundred bytes; generous all the same. */
const KEY_CHARS = 8192;
/** A key package is at most 4 KiB on the server. */
const KEY_PACKAGE_CHARS = 8192;
/** A sealed link payload is at most 16 KiB on the server. */
const LINK_CHARS = 24 * 1024;
/** A mailbox payload: an MLS message of at most 512 KiB, in base64url. */
const PAYLOAD_CHARS = 700_000;
/** List bounds well above what an instance holds; the reply's byte bound comes first. */
const MAX_DEVICES = 1000;
const MAX_MEMBERS = 20_000;
const MAX_ITEMS = 500;

const ITEM_KINDS = ['message', 'welcome', 'link', 'status'] as const;

/** A reply whose content the client does not use (acks, deletions): any JSON is fine. */
export function ignoreReply(): void {
  // Only the status matters; the body was already bounded and parsed as JSON.
}

export function parseWellKnown(v: unknown): WellKnown {
  const f = ReplyFields.of(v, 'server description');
  return {
    domain: f.string('domain', 260),
    protocol: f.count('protocol'),
    instanceKey: f.b64('instanceKey', KEY_CHARS),
    software: f.string('software'),
  };
}

export function parseRegisterResponse(v: unknown): RegisterResponse {
  const f = ReplyFields.of(v, 'registration reply');
  const user = f.object('user');
  return {
    user: {
      name: user.string('name'),
      domain: user.string('domain', 260),
      admin: user.bool('admin'),
    },
    credential: f.b64('credential', KEY_CHARS),
    instanceKey: f.b64('instanceKey', KEY_CHARS),
  };
}

export function parseChallenge(v: unknown): ChallengeResponse {
  const f = ReplyFields.of(v, 'session challenge');
  return { challenge: f.b64('challenge', 128), expiresAt: f.count('expiresAt') };
}

export function parseSession(v: unknown): SessionResponse {
  const f = ReplyFields.of(v, 'session reply');
  return { token: f.b64('token', 128), expiresAt: f.count('expiresAt') };
}

function deviceInfo(f: ReplyFields): DeviceInfo {
  return {
    id: f.string('id'),
    credential: f.b64('credential', KEY_CHARS),
    createdAt: f.count('createdAt'),
    lastSeenAt: f.nullableCount('lastSeenAt'),
    revoked: f.bool('revoked'),
  };
}

export function parseDevices(v: unknown): DeviceInfo[] {
  return ReplyFields.of(v, 'device list').list('devices', MAX_DEVICES, deviceInfo);
}

export function parseAddDevice(v: unknown): AddDeviceResponse {
  return { credential: ReplyFields.of(v, 'new device reply').b64('credential', KEY_CHARS) };
}

export function parseUserInfo(v: unknown): UserInfo {
  const f = ReplyFields.of(v, 'user lookup');
  return {
    name: f.string('name'),
    domain: f.string('domain', 260),
    identityKey: f.b64('identityKey', KEY_CHARS),
    devices: f.list('devices', MAX_DEVICES, (d) => ({
      id: d.string('id'),
      credential: d.b64('credential', KEY_CHARS),
    })),
  };
}

export function parseInstanceInfo(v: unknown): InstanceInfo {
  const f = ReplyFields.of(v, 'instance');
  const rotations = f.raw('rotations');
  try {
    // Checked here for shape; each statement's signature is checked where it is followed.
    parseRotations(rotations);
  } catch (err) {
    throw new FoyerError('bad_reply', `instance.rotations: ${(err as Error).message}`);
  }
  return {
    domain: f.string('domain', 260),
    instanceKey: f.b64('instanceKey', KEY_CHARS),
    ...(rotations === undefined ? {} : { rotations: rotations as KeyRotationJson[] }),
  };
}

export function parseClaimedKeyPackages(v: unknown): ClaimedKeyPackages {
  return {
    keyPackages: ReplyFields.of(v, 'claimed key packages').list(
      'keyPackages',
      MAX_DEVICES,
      (k) => ({
        deviceId: k.string('deviceId'),
        keyPackage: k.b64('keyPackage', KEY_PACKAGE_CHARS),
      }),
    ),
  };
}

export function parseKeyPackageCount(v: unknown): KeyPackageCount {
  const f = ReplyFields.of(v, 'key package count');
  return { available: f.count('available'), lastResort: f.bool('lastResort') };
}

export function parseGroupStatus(v: unknown): GroupStatus {
  const f = ReplyFields.of(v, 'group status');
  return {
    groupId: f.b64('groupId', 128),
    epoch: f.count('epoch'),
    members: f.list('members', MAX_MEMBERS, (m) => ({
      leaf: m.count('leaf'),
      deviceId: m.string('deviceId'),
      user: m.string('user'),
      domain: m.string('domain', 260),
    })),
  };
}

export function parseSubmitResponse(v: unknown): SubmitResponse {
  const f = ReplyFields.of(v, 'submission reply');
  return { epoch: f.count('epoch'), duplicate: f.bool('duplicate') };
}

export function parseLinkPayload(v: unknown): LinkPayload {
  return { sealed: ReplyFields.of(v, 'link payload').b64('sealed', LINK_CHARS) };
}

function mailboxItem(f: ReplyFields): MailboxItem {
  const receivedAt = f.raw('receivedAt');
  return {
    seq: f.count('seq'),
    kind: f.oneOf('kind', ITEM_KINDS),
    groupId: f.b64('groupId', 128),
    payload: f.b64('payload', PAYLOAD_CHARS),
    id: f.string('id', 128),
    // Informational only (history shows the sender's own time): tolerated when absent.
    receivedAt: typeof receivedAt === 'number' && Number.isSafeInteger(receivedAt) ? receivedAt : 0,
  };
}

/** @throws FoyerError bad_reply when an item is malformed */
export function parseMailboxItem(v: unknown): MailboxItem {
  return mailboxItem(ReplyFields.of(v, 'mailbox item'));
}

/** @throws FoyerError bad_reply when the page is malformed */
export function parseMailboxPage(v: unknown): MailboxPage {
  const f = ReplyFields.of(v, 'mailbox page');
  return {
    items: f.list('items', MAX_ITEMS, mailboxItem),
    cursor: f.count('cursor'),
    more: f.bool('more'),
  };
}
