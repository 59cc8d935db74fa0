/**
 * The policy's wire form (the group-context extension's data). Compact and canonical: every
 * list is sorted and duplicate-free, and the decoder refuses anything else, so one policy has
 * exactly one encoding and members (and the hub) compare policies by their bytes. Bounded:
 * list lengths and the whole encoding have maxima, and the decoder never allocates past them.
 */
import { Reader, Writer } from '../protocol/binary.ts';
import { FoyerError } from '../protocol/errors.ts';
import { isDeviceId, isDomain, isUserName } from '../protocol/names.ts';
import {
  targetKey,
  voteKey,
  type Allowed,
  type LastChange,
  type Policy,
  type PolicyAction,
  type Resolution,
  type Target,
  type Vote,
  type VoteKind,
} from './policy.ts';

export const POLICY_VERSION = 1;
/** Entries of any one list (admins, banned identities, banned devices, leaving, votes). */
export const MAX_POLICY_LIST = 255;
/** The largest encoding accepted; a full policy of a household group is a few hundred bytes. */
export const MAX_POLICY_BYTES = 64 * 1024;
/** `user@domain`: a 32-byte name, `@`, a 260-byte domain with its port. */
const MAX_IDENTITY_BYTES = 32 + 1 + 260;
const MAX_DEVICE_ID_BYTES = 22;
export const PROFILE_COMMITMENT_BYTES = 32;

const WHAT = 'group policy';

const ACTIONS = [
  'create',
  'promote',
  'demote',
  'vote',
  'unvote',
  'permissions',
  'leave',
  'prune',
  'profile',
] as const;

/** True for a well-formed `user@domain`. */
export function isIdentity(v: string): boolean {
  const at = v.lastIndexOf('@');
  return at > 0 && isUserName(v.slice(0, at)) && isDomain(v.slice(at + 1));
}

function fail(why: string): never {
  throw new FoyerError('bad_request', `malformed ${WHAT}: ${why}`);
}

/** Encodes a policy. @throws FoyerError bad_request when it breaks a bound or is not canonical */
export function encodePolicy(p: Policy): Uint8Array {
  const w = new Writer().u8(POLICY_VERSION);
  w.u8((p.addMembers === 'members' ? 1 : 0) | (p.editProfile === 'members' ? 2 : 0));
  writeList(
    w,
    p.admins,
    (s) => s,
    (x) => identity(w, x),
  );
  writeList(
    w,
    p.bannedIdentities,
    (s) => s,
    (x) => identity(w, x),
  );
  writeList(w, p.bannedDevices, targetKey, (t) => target(w, t));
  writeList(
    w,
    p.leaving,
    (s) => s,
    (x) => identity(w, x),
  );
  writeList(w, p.votes, voteKey, (v) => {
    target(w, v.target);
    w.u8(v.kind === 'ban' ? 0 : 1);
    identity(w, v.voter);
  });
  const { revision, commitment, editor } = p.profile;
  if (!Number.isSafeInteger(revision) || revision < 0 || revision > 0xffffffff) {
    fail('profile revision');
  }
  if (commitment.length !== (revision === 0 ? 0 : PROFILE_COMMITMENT_BYTES)) {
    fail('profile commitment');
  }
  w.u32(revision).bytes(commitment);
  if (revision === 0 ? editor !== '' : !isIdentity(editor)) fail('profile editor');
  w.string(editor);
  writeLast(w, p.last);
  const out = w.finish();
  if (out.length > MAX_POLICY_BYTES) fail(`larger than ${MAX_POLICY_BYTES} bytes`);
  return out;
}

function writeList<T>(w: Writer, list: T[], key: (x: T) => string, each: (x: T) => void): void {
  if (list.length > MAX_POLICY_LIST) fail(`a list has more than ${MAX_POLICY_LIST} entries`);
  for (let i = 1; i < list.length; i++) {
    if (!(key(list[i - 1]!) < key(list[i]!))) fail('a list is not sorted or has duplicates');
  }
  w.u8(list.length);
  for (const x of list) each(x);
}

function identity(w: Writer, v: string): void {
  if (!isIdentity(v)) fail('an identity is not user@domain');
  w.string(v);
}

function target(w: Writer, t: Target): void {
  identity(w, t.identity);
  if (t.deviceId === undefined) {
    w.u8(0);
    return;
  }
  if (!isDeviceId(t.deviceId)) fail('a device id is malformed');
  w.u8(1).string(t.deviceId);
}

function writeAction(w: Writer, a: PolicyAction): void {
  w.u8(ACTIONS.indexOf(a.t));
  switch (a.t) {
    case 'promote':
    case 'demote':
      identity(w, a.identity);
      return;
    case 'vote':
      target(w, a.target);
      w.u8(a.kind === 'ban' ? 0 : 1);
      return;
    case 'unvote':
      target(w, a.target);
      return;
    case 'permissions':
      w.u8((a.addMembers === 'members' ? 1 : 0) | (a.editProfile === 'members' ? 2 : 0));
      return;
    case 'profile':
      if (a.commitment.length !== PROFILE_COMMITMENT_BYTES) fail('profile commitment');
      w.bytes(a.commitment);
      return;
    default:
      return;
  }
}

function writeLast(w: Writer, l: LastChange): void {
  writeAction(w, l.action);
  identity(w, l.by);
  writeList(w, l.resolved, resolutionKey, (x) => {
    target(w, x.target);
    w.u8(x.kind === 'ban' ? 0 : 1);
    writeList(
      w,
      x.voters,
      (s) => s,
      (v) => identity(w, v),
    );
  });
}

function resolutionKey(x: Resolution): string {
  return `${targetKey(x.target)}\u0000${x.kind}`;
}

/**
 * Decodes a policy, refusing anything out of bounds or not canonical.
 * @throws FoyerError bad_request (payload_too_large above MAX_POLICY_BYTES)
 */
export function decodePolicy(bytes: Uint8Array): Policy {
  if (bytes.length > MAX_POLICY_BYTES) {
    throw new FoyerError('payload_too_large', `${WHAT} larger than ${MAX_POLICY_BYTES} bytes`);
  }
  const r = new Reader(bytes, WHAT);
  const version = r.u8();
  if (version !== POLICY_VERSION) fail(`unsupported version ${version}`);
  const [addMembers, editProfile] = allowedPair(r.u8());
  const admins = readList(
    r,
    (s) => s,
    () => readIdentity(r),
  );
  const bannedIdentities = readList(
    r,
    (s) => s,
    () => readIdentity(r),
  );
  const bannedDevices = readList(r, targetKey, () => readDeviceTarget(r));
  const leaving = readList(
    r,
    (s) => s,
    () => readIdentity(r),
  );
  const votes = readList(r, voteKey, (): Vote => {
    const t = readTarget(r);
    const kind = readKind(r.u8());
    return { target: t, kind, voter: readIdentity(r) };
  });
  const revision = r.u32();
  const commitment = r.bytes(PROFILE_COMMITMENT_BYTES);
  if (commitment.length !== (revision === 0 ? 0 : PROFILE_COMMITMENT_BYTES)) {
    fail('profile commitment');
  }
  const editor = r.string(MAX_IDENTITY_BYTES);
  if (revision === 0 ? editor !== '' : !isIdentity(editor)) fail('profile editor');
  const last = readLast(r);
  r.end();
  return {
    addMembers,
    editProfile,
    admins,
    bannedIdentities,
    bannedDevices,
    leaving,
    votes,
    profile: { revision, commitment, editor },
    last,
  };
}

function allowedPair(flags: number): [Allowed, Allowed] {
  if (flags > 3) fail('unknown permission flags');
  return [flags & 1 ? 'members' : 'admins', flags & 2 ? 'members' : 'admins'];
}

function readKind(v: number): VoteKind {
  if (v > 1) fail('unknown vote kind');
  return v === 0 ? 'ban' : 'unban';
}

function readList<T>(r: Reader, key: (x: T) => string, one: () => T): T[] {
  const n = r.u8();
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const x = one();
    if (out.length > 0 && !(key(out[out.length - 1]!) < key(x))) {
      fail('a list is not sorted or has duplicates');
    }
    out.push(x);
  }
  return out;
}

function readIdentity(r: Reader): string {
  const v = r.string(MAX_IDENTITY_BYTES);
  if (!isIdentity(v)) fail('an identity is not user@domain');
  return v;
}

function readTarget(r: Reader): Target {
  const identity = readIdentity(r);
  const hasDevice = r.u8();
  if (hasDevice > 1) fail('bad target flag');
  if (hasDevice === 0) return { identity };
  const deviceId = r.string(MAX_DEVICE_ID_BYTES);
  if (!isDeviceId(deviceId)) fail('a device id is malformed');
  return { identity, deviceId };
}

function readDeviceTarget(r: Reader): Target {
  const t = readTarget(r);
  if (t.deviceId === undefined) fail('a banned device names no device');
  return t;
}

function readAction(r: Reader): PolicyAction {
  const tag = ACTIONS[r.u8()];
  switch (tag) {
    case 'create':
    case 'leave':
    case 'prune':
      return { t: tag };
    case 'promote':
    case 'demote':
      return { t: tag, identity: readIdentity(r) };
    case 'vote': {
      const t = readTarget(r);
      return { t: 'vote', target: t, kind: readKind(r.u8()) };
    }
    case 'unvote':
      return { t: 'unvote', target: readTarget(r) };
    case 'permissions': {
      const [addMembers, editProfile] = allowedPair(r.u8());
      return { t: 'permissions', addMembers, editProfile };
    }
    case 'profile':
      return { t: 'profile', commitment: r.bytes(PROFILE_COMMITMENT_BYTES, true) };
  }
  return fail('unknown action');
}

function readLast(r: Reader): LastChange {
  const action = readAction(r);
  const by = readIdentity(r);
  const resolved = readList(r, resolutionKey, (): Resolution => {
    const t = readTarget(r);
    const kind = readKind(r.u8());
    return {
      target: t,
      kind,
      voters: readList(
        r,
        (s) => s,
        () => readIdentity(r),
      ),
    };
  });
  return { action, by, resolved };
}
