/**
 * Transport over the global `fetch` (browsers and Node ≥ 22). Opens a session by signing
 * the server's challenge with the device key, keeps its token (through a SessionKeeper, in
 * the encrypted store) for the next runs, and opens a new one once when a call answers 401
 * `unauthenticated` (an expired or forgotten token). Messages (submit, mailbox, ack) go
 * through the envelope layer (carrier.ts) with the HTTP carrier below it.
 */
import {
  SESSION_LABEL,
  type AddDeviceRequest,
  type AddDeviceResponse,
  type ClaimedKeyPackages,
  type CreateGroupRequest,
  type DeviceInfo,
  type GroupStatus,
  type InstanceInfo,
  type KeyPackageCount,
  type LinkPayload,
  type MailboxPage,
  type RegisterRequest,
  type RegisterResponse,
  type SubmitRequest,
  type SubmitResponse,
  type UploadKeyPackagesRequest,
  type UserInfo,
  type WellKnown,
} from '../../protocol/api.ts';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from '../../protocol/bytes.ts';
import { FoyerError, isErrorCode } from '../../protocol/errors.ts';
import { EnvelopeMessaging } from './carrier.ts';
import { HttpCarrier } from './httpCarrier.ts';
import {
  ignoreReply,
  parseAddDevice,
  parseChallenge,
  parseClaimedKeyPackages,
  parseDevices,
  parseGroupStatus,
  parseInstanceInfo,
  parseKeyPackageCount,
  parseLinkPayload,
  parseRegisterResponse,
  parseSession,
  parseUserInfo,
  parseWellKnown,
} from './parseReplies.ts';
import { MAX_REPLY_BYTES, readBoundedText } from './readReply.ts';
import { badReply } from './replyFields.ts';
import type { DeviceSigner, SavedSession, SessionKeeper, Transport } from './transport.ts';

/**
 * A kept token this close to its expiry is not used: a call made with it could be refused
 * half-way through a command, and opening a session costs only two requests.
 */
const EXPIRY_MARGIN_MS = 60_000;

export interface HttpTransportOptions {
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Replaces the global fetch (tests). */
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'DELETE';

export class HttpTransport implements Transport {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private signer: DeviceSigner | undefined;
  private keeper: SessionKeeper | undefined;
  /** Whether the keeper's token was already read (it is read once, at the first call). */
  private keptRead = false;
  private token: string | undefined;
  private tokenExpiresAt = 0;
  private opening: Promise<string> | undefined;
  private readonly messages = new EnvelopeMessaging(
    new HttpCarrier((method, path, body, parse, maxBytes) =>
      this.authed(method, path, body, parse, maxBytes),
    ),
  );

  constructor(baseUrl: string, opts: HttpTransportOptions = {}) {
    this.baseUrl = normaliseServerUrl(baseUrl);
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  setSigner(signer: DeviceSigner, keeper?: SessionKeeper): void {
    this.signer = signer;
    this.keeper = keeper;
    this.keptRead = false;
    this.token = undefined;
  }

  invalidateSession(): void {
    this.token = undefined;
  }

  async sessionToken(): Promise<string> {
    if (this.token !== undefined && usable(this.tokenExpiresAt)) return this.token;
    this.opening ??= this.obtainToken().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** The kept token when it is still usable (first call only), else a new session. */
  private async obtainToken(): Promise<string> {
    if (!this.keptRead && this.keeper !== undefined) {
      this.keptRead = true;
      const kept = await this.keeper.load();
      if (kept !== undefined && usable(kept.expiresAt)) return this.use(kept);
    }
    const session = await this.openSession();
    await this.keeper?.save(session);
    return this.use(session);
  }

  private use(session: SavedSession): string {
    this.token = session.token;
    this.tokenExpiresAt = session.expiresAt;
    return session.token;
  }

  private async openSession(): Promise<SavedSession> {
    const signer = this.signer;
    if (signer === undefined) throw new FoyerError('unauthenticated', 'no device to sign in with');
    const { challenge } = await this.call(
      'POST',
      '/api/v1/sessions/challenge',
      { deviceId: signer.deviceId },
      parseChallenge,
    );
    const raw = fromBase64Url(challenge);
    if (raw === undefined) throw badReply('session challenge', 'challenge is not base64url');
    const signature = await signer.sign(concatBytes(utf8(SESSION_LABEL), raw));
    const session = await this.call(
      'POST',
      '/api/v1/sessions',
      { deviceId: signer.deviceId, challenge, signature: toBase64Url(signature) },
      parseSession,
    );
    return { token: session.token, expiresAt: session.expiresAt };
  }

  wellKnown(): Promise<WellKnown> {
    return this.call('GET', '/.well-known/foyer', undefined, parseWellKnown);
  }
  register(req: RegisterRequest): Promise<RegisterResponse> {
    return this.call('POST', '/api/v1/accounts', req, parseRegisterResponse);
  }
  devices(): Promise<DeviceInfo[]> {
    return this.authed('GET', '/api/v1/devices', undefined, parseDevices);
  }
  addDevice(req: AddDeviceRequest): Promise<AddDeviceResponse> {
    return this.authed('POST', '/api/v1/devices', req, parseAddDevice);
  }
  async revokeDevice(deviceId: string): Promise<void> {
    await this.authed(
      'DELETE',
      `/api/v1/devices/${encodeURIComponent(deviceId)}`,
      undefined,
      ignoreReply,
    );
  }
  user(name: string): Promise<UserInfo> {
    return this.authed(
      'GET',
      `/api/v1/users/${encodeURIComponent(name)}`,
      undefined,
      parseUserInfo,
    );
  }
  instance(domain: string): Promise<InstanceInfo> {
    return this.authed(
      'GET',
      `/api/v1/instances/${encodeURIComponent(domain)}`,
      undefined,
      parseInstanceInfo,
    );
  }
  claimKeyPackages(name: string): Promise<ClaimedKeyPackages> {
    return this.authed(
      'POST',
      `/api/v1/users/${encodeURIComponent(name)}/keypackages`,
      {},
      parseClaimedKeyPackages,
    );
  }
  uploadKeyPackages(req: UploadKeyPackagesRequest): Promise<KeyPackageCount> {
    return this.authed('POST', '/api/v1/keypackages', req, parseKeyPackageCount);
  }
  keyPackageCount(): Promise<KeyPackageCount> {
    return this.authed('GET', '/api/v1/keypackages', undefined, parseKeyPackageCount);
  }
  createGroup(req: CreateGroupRequest): Promise<GroupStatus> {
    return this.authed('POST', '/api/v1/groups', req, parseGroupStatus);
  }
  groupStatus(groupId: string): Promise<GroupStatus> {
    return this.authed(
      'GET',
      `/api/v1/groups/${encodeURIComponent(groupId)}`,
      undefined,
      parseGroupStatus,
    );
  }
  submit(groupId: string, req: SubmitRequest): Promise<SubmitResponse> {
    return this.messages.submit(groupId, req);
  }
  async forgetGroup(groupId: string): Promise<void> {
    await this.authed(
      'DELETE',
      `/api/v1/groups/${encodeURIComponent(groupId)}`,
      undefined,
      () => undefined,
    );
  }
  mailbox(after: number, limit: number): Promise<MailboxPage> {
    return this.messages.mailbox(after, limit);
  }
  ack(upTo: number): Promise<void> {
    return this.messages.ack(upTo);
  }
  async postLink(rid: string, payload: LinkPayload): Promise<void> {
    await this.call('POST', `/api/v1/links/${encodeURIComponent(rid)}`, payload, ignoreReply);
  }
  getLink(rid: string): Promise<LinkPayload> {
    return this.authed(
      'GET',
      `/api/v1/links/${encodeURIComponent(rid)}`,
      undefined,
      parseLinkPayload,
    );
  }
  async postLinkReply(rid: string, payload: LinkPayload): Promise<void> {
    await this.authed(
      'POST',
      `/api/v1/links/${encodeURIComponent(rid)}/reply`,
      payload,
      ignoreReply,
    );
  }
  async getLinkReply(rid: string): Promise<LinkPayload | undefined> {
    try {
      return await this.call(
        'GET',
        `/api/v1/links/${encodeURIComponent(rid)}/reply`,
        undefined,
        parseLinkPayload,
      );
    } catch (err) {
      if (err instanceof FoyerError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  /** An authenticated call; on an expired session, signs in again and retries once. */
  private async authed<T>(
    method: Method,
    path: string,
    body: unknown,
    parse: (reply: unknown) => T,
    maxBytes = MAX_REPLY_BYTES,
  ): Promise<T> {
    const token = await this.sessionToken();
    try {
      return await this.call(method, path, body, parse, token, maxBytes);
    } catch (err) {
      if (!(err instanceof FoyerError) || err.code !== 'unauthenticated') throw err;
      if (this.token === token) this.token = undefined;
      return this.call(method, path, body, parse, await this.sessionToken(), maxBytes);
    }
  }

  /**
   * One request: the reply is read up to `maxBytes`, parsed as JSON and then by `parse`
   * (a success), or turned into the FoyerError it carries (a refusal).
   */
  private async call<T>(
    method: Method,
    path: string,
    body: unknown,
    parse: (reply: unknown) => T,
    token?: string,
    maxBytes = MAX_REPLY_BYTES,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new FoyerError('network', `cannot reach the server: ${describe(err)}`, undefined, {
        cause: err,
      });
    }
    const what = `reply to ${method} ${path.replace(/\?.*$/, '')}`;
    const text = await readBoundedText(res, maxBytes, what);
    let json: unknown = undefined;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        // A refusal without a JSON body (a proxy's error page) is judged by its status.
        if (res.ok) throw badReply(what, 'not JSON', err);
      }
    }
    if (!res.ok) throw errorFromReply(res.status, json);
    return parse(json);
  }
}

function usable(expiresAt: number): boolean {
  return expiresAt - Date.now() > EXPIRY_MARGIN_MS;
}

/** The value of `name` when `v` is a JSON object holding it. */
function field(v: unknown, name: string): unknown {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)[name]
    : undefined;
}

/** The server's refusal, read leniently: a refusal of any shape is still a refusal. */
function errorFromReply(status: number, json: unknown): FoyerError {
  const e = field(json, 'error');
  const code = field(e, 'code');
  if (isErrorCode(code)) {
    const message = field(e, 'message');
    const details = field(e, 'details');
    return new FoyerError(
      code,
      typeof message === 'string' ? message.slice(0, 1000) : code,
      typeof details === 'object' && details !== null && !Array.isArray(details)
        ? (details as Record<string, unknown>)
        : undefined,
    );
  }
  if (status === 401) return new FoyerError('unauthenticated', 'the server refused the session');
  if (status === 404) return new FoyerError('not_found', 'not found on the server');
  if (status >= 500) return new FoyerError('network', `the server failed (HTTP ${status})`);
  return new FoyerError('bad_reply', `unexpected HTTP ${status} from the server`);
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

/**
 * Normalises what a person types as a server address: keeps scheme, host, port and path,
 * drops a trailing slash and any fragment or query (an invite link's `#CODE`).
 * @throws FoyerError usage when it is not an http(s) URL
 */
export function normaliseServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    throw new FoyerError('usage', `not a server URL: ${input}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FoyerError('usage', `the server URL must start with http:// or https://`);
  }
  let path = url.pathname.replace(/\/+$/, '');
  // An invite link is BASE/join#CODE: the server is BASE.
  if (path.endsWith('/join')) path = path.slice(0, -'/join'.length);
  return `${url.protocol}//${url.host}${path}`;
}
