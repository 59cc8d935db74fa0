/**
 * FOR TESTS ONLY: an in-process stand-in for the Foyer server behind the Transport
 * interface, so engine unit tests run without processes. It keeps accounts, key packages,
 * hubs (epoch ordering via inspectMessage, fan-out, dedup by id) and mailboxes in memory,
 * and can be told to fail. The real server is exercised by test/scenarios.
 */
import { inspectKeyPackage, inspectMessage } from '../../mls/inspect.ts';
import { signBytes, type SignatureKeyPair } from '../../mls/keys.ts';
import type {
  AddDeviceRequest,
  ClaimedKeyPackages,
  DeviceInfo,
  DeviceRegistration,
  GroupStatus,
  LinkPayload,
  MailboxItem,
  MailboxPage,
  RegisterRequest,
  RegisterResponse,
  SubmitRequest,
  SubmitResponse,
  UploadKeyPackagesRequest,
  InstanceInfo,
  UserInfo,
  WellKnown,
} from '../../protocol/api.ts';
import { fromBase64Url, toBase64Url } from '../../protocol/bytes.ts';
import { encodeCredential, instanceSignatureInput } from '../../protocol/credential.ts';
import { FoyerError, type ErrorCode } from '../../protocol/errors.ts';
import { isUserName } from '../../protocol/names.ts';
import type { DeviceSigner, Transport } from '../transport/transport.ts';

interface Device {
  id: string;
  user: string;
  credential: string;
  revoked: boolean;
  keyPackages: string[];
  lastResort: string | undefined;
  mailbox: MailboxItem[];
  nextSeq: number;
}

interface Hub {
  epoch: number;
  /** Leaf index → device id (undefined: blank leaf). */
  leaves: Array<string | undefined>;
  accepted: Set<string>;
}

function b64(s: string): Uint8Array {
  const b = fromBase64Url(s);
  if (b === undefined) throw new FoyerError('bad_request', 'bad base64url');
  return b;
}

export class FakeServer {
  readonly domain: string;
  readonly instanceKey: SignatureKeyPair;
  readonly invites = new Set<string>();
  readonly users = new Map<string, { identityKey: string; admin: boolean }>();
  readonly devices = new Map<string, Device>();
  readonly hubs = new Map<string, Hub>();
  readonly links = new Map<string, { request: string; reply: string | undefined }>();
  /** Every accepted submission, in order (tests count deliveries with it). */
  readonly submissions: Array<{ groupId: string; id: string; from: string; kind: string }> = [];
  /** Every submit that reached the hub (accepted, duplicate or refused), in order. */
  readonly attempts: Array<{ groupId: string; id: string; message: string }> = [];
  /** When set, calls fail with FoyerError('network') (the server is "down"). */
  down = false;
  /** Fails the next N submits with network AFTER accepting them (a lost reply). */
  loseRepliesAfterAccept = 0;
  /** Every name asked about (user lookups and key-package claims), in order. */
  readonly lookups: string[] = [];
  /** Every submit a client tried, the server up or down. */
  submitCalls = 0;
  /** When set, the next submit is refused with this code (then it is cleared). */
  refuseNext: ErrorCode | undefined;

  constructor(domain: string, instanceKey: SignatureKeyPair) {
    this.domain = domain;
    this.instanceKey = instanceKey;
  }

  newInvite(): string {
    const code = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    this.invites.add(code);
    return code;
  }

  /** A transport for one client (it acts as whatever device signs in through it). */
  transport(baseUrl = 'http://fake.invalid'): Transport {
    return new FakeTransport(this, baseUrl);
  }

  deliver(deviceId: string, item: Omit<MailboxItem, 'seq' | 'receivedAt'>): void {
    const d = this.devices.get(deviceId);
    if (d === undefined || d.revoked) return;
    d.mailbox.push({ ...item, seq: d.nextSeq++, receivedAt: Date.now() });
  }

  async makeDevice(user: string, reg: DeviceRegistration): Promise<string> {
    const binding = {
      user,
      domain: this.domain,
      deviceId: reg.id,
      deviceKey: b64(reg.signatureKey),
      identityKey: b64(reg.identityKey),
    };
    const identitySignature = b64(reg.identitySignature);
    const instanceSignature = await signBytes(
      this.instanceKey,
      instanceSignatureInput(binding, identitySignature),
    );
    const credential = toBase64Url(
      encodeCredential({ ...binding, identitySignature, instanceSignature }),
    );
    this.devices.set(reg.id, {
      id: reg.id,
      user,
      credential,
      revoked: false,
      keyPackages: [],
      lastResort: undefined,
      mailbox: [],
      nextSeq: 1,
    });
    return credential;
  }

  submit(caller: Device, groupId: string, req: SubmitRequest): SubmitResponse {
    this.attempts.push({ groupId, id: req.id, message: req.message });
    const hub = this.hubs.get(groupId);
    if (hub === undefined) throw new FoyerError('not_found', 'no such group');
    if (!hub.leaves.includes(caller.id)) throw new FoyerError('not_member', 'not a member');
    if (hub.accepted.has(req.id)) return { epoch: hub.epoch, duplicate: true };
    const msg = inspectMessage(b64(req.message));
    const recipients = hub.leaves.filter((d): d is string => d !== undefined && d !== caller.id);
    if (msg.type === 'commit') {
      if (msg.epoch !== hub.epoch) {
        throw new FoyerError('wrong_epoch', 'wrong epoch', { epoch: hub.epoch });
      }
      for (const leaf of msg.removes) hub.leaves[leaf] = undefined;
      const added: string[] = [];
      for (const c of msg.adds) {
        const blank = hub.leaves.indexOf(undefined);
        if (blank >= 0) hub.leaves[blank] = c.deviceId;
        else hub.leaves.push(c.deviceId);
        added.push(c.deviceId);
      }
      while (hub.leaves.length > 0 && hub.leaves[hub.leaves.length - 1] === undefined)
        hub.leaves.pop();
      hub.epoch++;
      for (const d of recipients)
        this.deliver(d, { kind: 'message', groupId, payload: req.message, id: req.id });
      if (req.welcome !== undefined) {
        for (const d of added)
          this.deliver(d, { kind: 'welcome', groupId, payload: req.welcome, id: req.id });
      }
    } else {
      for (const d of recipients)
        this.deliver(d, { kind: 'message', groupId, payload: req.message, id: req.id });
    }
    hub.accepted.add(req.id);
    this.submissions.push({ groupId, id: req.id, from: caller.id, kind: msg.type });
    return { epoch: hub.epoch, duplicate: false };
  }
}

class FakeTransport implements Transport {
  /** The URL an account registered through it stores as its server. */
  readonly baseUrl: string;
  private readonly server: FakeServer;
  private signer: DeviceSigner | undefined;

  constructor(server: FakeServer, baseUrl: string) {
    this.server = server;
    this.baseUrl = baseUrl;
  }

  setSigner(signer: DeviceSigner): void {
    this.signer = signer;
  }
  async sessionToken(): Promise<string> {
    return 'token';
  }
  invalidateSession(): void {
    // Sessions are not modelled.
  }

  private up(): void {
    if (this.server.down) throw new FoyerError('network', 'cannot reach the server: down');
  }

  private me(): Device {
    this.up();
    const d = this.signer === undefined ? undefined : this.server.devices.get(this.signer.deviceId);
    if (d === undefined) throw new FoyerError('unauthenticated', 'no session');
    if (d.revoked) throw new FoyerError('device_revoked', 'revoked');
    return d;
  }

  async wellKnown(): Promise<WellKnown> {
    this.up();
    const s = this.server;
    return {
      domain: s.domain,
      protocol: 1,
      instanceKey: toBase64Url(s.instanceKey.publicKey),
      software: 'fake',
      endpoints: { inbox: '/federation/v1/inbox' },
    };
  }

  async register(req: RegisterRequest): Promise<RegisterResponse> {
    this.up();
    const s = this.server;
    if (!s.invites.has(req.invite)) {
      throw new FoyerError('invite_invalid', 'invite code is not valid');
    }
    if (s.users.has(req.name)) throw new FoyerError('name_taken', 'taken');
    s.invites.delete(req.invite); // like the server: a failed registration keeps the invite
    s.users.set(req.name, { identityKey: req.device.identityKey, admin: false });
    const credential = await s.makeDevice(req.name, req.device);
    return {
      user: { name: req.name, domain: s.domain, admin: false },
      credential,
      instanceKey: toBase64Url(s.instanceKey.publicKey),
    };
  }

  async devices(): Promise<DeviceInfo[]> {
    const me = this.me();
    return [...this.server.devices.values()]
      .filter((d) => d.user === me.user)
      .map((d) => ({
        id: d.id,
        credential: d.credential,
        createdAt: 0,
        lastSeenAt: null,
        revoked: d.revoked,
      }));
  }
  async addDevice(req: AddDeviceRequest): Promise<{ credential: string }> {
    const me = this.me();
    if (req.identityKey !== this.server.users.get(me.user)?.identityKey) {
      throw new FoyerError('forbidden', 'identity key is not the user’s');
    }
    return { credential: await this.server.makeDevice(me.user, req) };
  }
  async revokeDevice(deviceId: string): Promise<void> {
    const me = this.me();
    const d = this.server.devices.get(deviceId);
    if (d === undefined || d.user !== me.user) throw new FoyerError('not_found', 'no such device');
    d.revoked = true;
    d.mailbox = [];
    d.keyPackages = [];
  }
  /** As a server that does not federate: only its own instance is known. */
  async instance(domain: string): Promise<InstanceInfo> {
    this.me();
    if (domain !== this.server.domain) {
      throw new FoyerError('federation_unavailable', `${domain} is not reached`, { domain });
    }
    return { domain, instanceKey: toBase64Url(this.server.instanceKey.publicKey) };
  }
  async user(name: string): Promise<UserInfo> {
    this.me();
    this.checkName(name);
    const u = this.server.users.get(name);
    if (u === undefined) throw new FoyerError('not_found', 'no such user');
    const devices = [...this.server.devices.values()]
      .filter((d) => d.user === name && !d.revoked)
      .map((d) => ({ id: d.id, credential: d.credential }));
    return { name, domain: this.server.domain, identityKey: u.identityKey, devices };
  }
  /** As the real server: only bare names of this instance (it does not federate). */
  private checkName(name: string): void {
    this.server.lookups.push(name);
    if (!isUserName(name)) throw new FoyerError('invalid_name', 'not a user name');
  }
  async claimKeyPackages(name: string): Promise<ClaimedKeyPackages> {
    const me = this.me();
    this.checkName(name);
    if (!this.server.users.has(name)) throw new FoyerError('not_found', 'no such user');
    const out: ClaimedKeyPackages = { keyPackages: [] };
    for (const d of this.server.devices.values()) {
      if (d.user !== name || d.revoked || d.id === me.id) continue;
      const kp = d.keyPackages.shift() ?? d.lastResort;
      if (kp !== undefined) out.keyPackages.push({ deviceId: d.id, keyPackage: kp });
    }
    return out;
  }
  async uploadKeyPackages(
    req: UploadKeyPackagesRequest,
  ): Promise<{ available: number; lastResort: boolean }> {
    const me = this.me();
    for (const kp of [
      ...req.keyPackages,
      ...(req.lastResort === undefined ? [] : [req.lastResort]),
    ]) {
      if (inspectKeyPackage(b64(kp)).credential.deviceId !== me.id) {
        throw new FoyerError('forbidden', 'key package of another device');
      }
    }
    me.keyPackages.push(...req.keyPackages);
    if (req.lastResort !== undefined) me.lastResort = req.lastResort;
    return this.keyPackageCount();
  }
  async keyPackageCount(): Promise<{ available: number; lastResort: boolean }> {
    const me = this.me();
    return { available: me.keyPackages.length, lastResort: me.lastResort !== undefined };
  }
  async createGroup(req: { groupId: string }): Promise<GroupStatus> {
    const me = this.me();
    if (this.server.hubs.has(req.groupId)) throw new FoyerError('group_exists', 'exists');
    this.server.hubs.set(req.groupId, { epoch: 0, leaves: [me.id], accepted: new Set() });
    return this.groupStatus(req.groupId);
  }
  async forgetGroup(groupId: string): Promise<void> {
    const me = this.me();
    const hub = this.server.hubs.get(groupId);
    if (hub === undefined || !hub.leaves.includes(me.id)) throw new FoyerError('not_member', 'no');
    const others = hub.leaves.filter(
      (id) => id !== undefined && this.server.devices.get(id)?.user !== me.user,
    );
    if (others.length > 0) throw new FoyerError('forbidden', 'other members remain');
    this.server.hubs.delete(groupId);
  }
  async groupStatus(groupId: string): Promise<GroupStatus> {
    this.me();
    const hub = this.server.hubs.get(groupId);
    if (hub === undefined) throw new FoyerError('not_found', 'no such group');
    const members = hub.leaves.flatMap((id, leaf) => {
      const d = id === undefined ? undefined : this.server.devices.get(id);
      return d === undefined
        ? []
        : [{ leaf, deviceId: d.id, user: d.user, domain: this.server.domain }];
    });
    return { groupId, epoch: hub.epoch, members };
  }
  async submit(groupId: string, req: SubmitRequest): Promise<SubmitResponse> {
    this.server.submitCalls++;
    const refusal = this.server.refuseNext;
    if (refusal !== undefined) {
      this.server.refuseNext = undefined;
      throw new FoyerError(refusal, 'refused by the test');
    }
    const res = this.server.submit(this.me(), groupId, req);
    if (this.server.loseRepliesAfterAccept > 0) {
      this.server.loseRepliesAfterAccept--;
      throw new FoyerError('network', 'the connection broke before the reply');
    }
    return res;
  }
  async mailbox(after: number, limit: number): Promise<MailboxPage> {
    const me = this.me();
    const items = me.mailbox.filter((i) => i.seq > after);
    const page = items.slice(0, limit);
    return { items: page, cursor: page.at(-1)?.seq ?? after, more: items.length > limit };
  }
  async ack(upTo: number): Promise<void> {
    const me = this.me();
    me.mailbox = me.mailbox.filter((i) => i.seq > upTo);
  }
  async postLink(rid: string, payload: LinkPayload): Promise<void> {
    this.up();
    this.server.links.set(rid, { request: payload.sealed, reply: undefined });
  }
  async getLink(rid: string): Promise<LinkPayload> {
    this.me();
    const l = this.server.links.get(rid);
    if (l === undefined) throw new FoyerError('not_found', 'no such link');
    return { sealed: l.request };
  }
  async postLinkReply(rid: string, payload: LinkPayload): Promise<void> {
    this.me();
    const l = this.server.links.get(rid);
    if (l === undefined) throw new FoyerError('not_found', 'no such link');
    l.reply = payload.sealed;
  }
  async getLinkReply(rid: string): Promise<LinkPayload | undefined> {
    this.up();
    const reply = this.server.links.get(rid)?.reply;
    return reply === undefined ? undefined : { sealed: reply };
  }
}
