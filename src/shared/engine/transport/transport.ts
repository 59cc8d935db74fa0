/**
 * The engine's view of its server: the `/api/v1` calls it makes, as typed methods.
 * HttpTransport (httpTransport.ts) implements it over `fetch`; unit tests bring fakes.
 * Every failure is a FoyerError: the server's own code when it answered, `network` when it
 * could not be reached.
 */
import type {
  AddDeviceRequest,
  AddDeviceResponse,
  ClaimedKeyPackages,
  CreateGroupRequest,
  DeviceInfo,
  GroupStatus,
  InstanceInfo,
  KeyPackageCount,
  LinkPayload,
  MailboxPage,
  RegisterRequest,
  RegisterResponse,
  SubmitRequest,
  SubmitResponse,
  UploadKeyPackagesRequest,
  UserInfo,
  WellKnown,
} from '../../protocol/api.ts';

/** What the transport needs to open sessions: the device id and its signature key. */
export interface DeviceSigner {
  deviceId: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** A session token and when the server said it expires (milliseconds since the epoch). */
export interface SavedSession {
  token: string;
  expiresAt: number;
}

/**
 * Where a transport keeps its session token between runs (the engine keeps it in the
 * encrypted store), so that each CLI run or page load does not open a new session.
 */
export interface SessionKeeper {
  load(): Promise<SavedSession | undefined>;
  save(session: SavedSession): Promise<void>;
}

export interface Transport {
  /** The server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /**
   * Sets the device that authenticated calls act as and, with `keeper`, where its session
   * token is kept: a kept token is reused until it expires or the server refuses it.
   */
  setSigner(signer: DeviceSigner, keeper?: SessionKeeper): void;
  /** A valid session token (opening a session when needed), for the push socket. */
  sessionToken(): Promise<string>;
  /** Forgets the current token so that the next call opens a fresh session. */
  invalidateSession(): void;

  wellKnown(): Promise<WellKnown>;
  register(req: RegisterRequest): Promise<RegisterResponse>;

  devices(): Promise<DeviceInfo[]>;
  addDevice(req: AddDeviceRequest): Promise<AddDeviceResponse>;
  revokeDevice(deviceId: string): Promise<void>;

  user(name: string): Promise<UserInfo>;
  /** Another instance's key, as this server pinned it. */
  instance(domain: string): Promise<InstanceInfo>;
  claimKeyPackages(name: string): Promise<ClaimedKeyPackages>;
  uploadKeyPackages(req: UploadKeyPackagesRequest): Promise<KeyPackageCount>;
  keyPackageCount(): Promise<KeyPackageCount>;

  createGroup(req: CreateGroupRequest): Promise<GroupStatus>;
  groupStatus(groupId: string): Promise<GroupStatus>;
  submit(groupId: string, req: SubmitRequest): Promise<SubmitResponse>;
  /** Asks the hub to forget a group whose only remaining member is this user. */
  forgetGroup(groupId: string): Promise<void>;

  mailbox(after: number, limit: number): Promise<MailboxPage>;
  ack(upTo: number): Promise<void>;

  /** Linking rendezvous; the new device's calls are unauthenticated. */
  postLink(rid: string, payload: LinkPayload): Promise<void>;
  getLink(rid: string): Promise<LinkPayload>;
  postLinkReply(rid: string, payload: LinkPayload): Promise<void>;
  /** The approving device's reply, or undefined while there is none yet. */
  getLinkReply(rid: string): Promise<LinkPayload | undefined>;
}
