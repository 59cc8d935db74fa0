/**
 * Transport over the global `fetch` (browsers and Node ≥ 22). Opens a session by signing
 * the server's challenge with the device key, and opens a new one once when a call answers
 * 401 `unauthenticated` (expired token).
 */
import {
  SESSION_LABEL,
  type AddDeviceRequest,
  type AddDeviceResponse,
  type ChallengeResponse,
  type ClaimedKeyPackages,
  type CreateGroupRequest,
  type DeviceInfo,
  type GroupStatus,
  type KeyPackageCount,
  type LinkPayload,
  type MailboxPage,
  type RegisterRequest,
  type RegisterResponse,
  type SessionResponse,
  type SubmitRequest,
  type SubmitResponse,
  type UploadKeyPackagesRequest,
  type UserInfo,
  type WellKnown,
} from '../../protocol/api.ts';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from '../../protocol/bytes.ts';
import { FoyerError, isErrorCode } from '../../protocol/errors.ts';
import { parseMailboxPage } from './parseReplies.ts';
import type { DeviceSigner, Transport } from './transport.ts';

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
  private token: string | undefined;
  private opening: Promise<string> | undefined;

  constructor(baseUrl: string, opts: HttpTransportOptions = {}) {
    this.baseUrl = normaliseServerUrl(baseUrl);
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  setSigner(signer: DeviceSigner): void {
    this.signer = signer;
    this.token = undefined;
  }

  invalidateSession(): void {
    this.token = undefined;
  }

  async sessionToken(): Promise<string> {
    if (this.token !== undefined) return this.token;
    this.opening ??= this.openSession().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async openSession(): Promise<string> {
    const signer = this.signer;
    if (signer === undefined) throw new FoyerError('unauthenticated', 'no device to sign in with');
    const { challenge } = await this.call<ChallengeResponse>('POST', '/api/v1/sessions/challenge', {
      deviceId: signer.deviceId,
    });
    const raw = fromBase64Url(challenge);
    if (raw === undefined)
      throw new FoyerError('internal', 'the server sent a malformed challenge');
    const signature = await signer.sign(concatBytes(utf8(SESSION_LABEL), raw));
    const session = await this.call<SessionResponse>('POST', '/api/v1/sessions', {
      deviceId: signer.deviceId,
      challenge,
      signature: toBase64Url(signature),
    });
    this.token = session.token;
    return session.token;
  }

  wellKnown(): Promise<WellKnown> {
    return this.call('GET', '/.well-known/foyer');
  }
  register(req: RegisterRequest): Promise<RegisterResponse> {
    return this.call('POST', '/api/v1/accounts', req);
  }
  async devices(): Promise<DeviceInfo[]> {
    return (await this.authed<{ devices: DeviceInfo[] }>('GET', '/api/v1/devices')).devices;
  }
  addDevice(req: AddDeviceRequest): Promise<AddDeviceResponse> {
    return this.authed('POST', '/api/v1/devices', req);
  }
  async revokeDevice(deviceId: string): Promise<void> {
    await this.authed('DELETE', `/api/v1/devices/${encodeURIComponent(deviceId)}`);
  }
  user(name: string): Promise<UserInfo> {
    return this.authed('GET', `/api/v1/users/${encodeURIComponent(name)}`);
  }
  claimKeyPackages(name: string): Promise<ClaimedKeyPackages> {
    return this.authed('POST', `/api/v1/users/${encodeURIComponent(name)}/keypackages`, {});
  }
  uploadKeyPackages(req: UploadKeyPackagesRequest): Promise<KeyPackageCount> {
    return this.authed('POST', '/api/v1/keypackages', req);
  }
  keyPackageCount(): Promise<KeyPackageCount> {
    return this.authed('GET', '/api/v1/keypackages');
  }
  createGroup(req: CreateGroupRequest): Promise<GroupStatus> {
    return this.authed('POST', '/api/v1/groups', req);
  }
  groupStatus(groupId: string): Promise<GroupStatus> {
    return this.authed('GET', `/api/v1/groups/${groupId}`);
  }
  submit(groupId: string, req: SubmitRequest): Promise<SubmitResponse> {
    return this.authed('POST', `/api/v1/groups/${groupId}/messages`, req);
  }
  async mailbox(after: number, limit: number): Promise<MailboxPage> {
    return parseMailboxPage(
      await this.authed<unknown>('GET', `/api/v1/mailbox?after=${after}&limit=${limit}`),
    );
  }
  async ack(upTo: number): Promise<void> {
    await this.authed('POST', '/api/v1/mailbox/ack', { upTo });
  }
  async postLink(rid: string, payload: LinkPayload): Promise<void> {
    await this.call('POST', `/api/v1/links/${rid}`, payload);
  }
  getLink(rid: string): Promise<LinkPayload> {
    return this.authed('GET', `/api/v1/links/${rid}`);
  }
  async postLinkReply(rid: string, payload: LinkPayload): Promise<void> {
    await this.authed('POST', `/api/v1/links/${rid}/reply`, payload);
  }
  async getLinkReply(rid: string): Promise<LinkPayload | undefined> {
    try {
      return await this.call<LinkPayload>('GET', `/api/v1/links/${rid}/reply`);
    } catch (err) {
      if (err instanceof FoyerError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  /** An authenticated call; on an expired session, signs in again and retries once. */
  private async authed<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const token = await this.sessionToken();
    try {
      return await this.call<T>(method, path, body, token);
    } catch (err) {
      if (!(err instanceof FoyerError) || err.code !== 'unauthenticated') throw err;
      if (this.token === token) this.token = undefined;
      return this.call<T>(method, path, body, await this.sessionToken());
    }
  }

  private async call<T>(method: Method, path: string, body?: unknown, token?: string): Promise<T> {
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
      throw new FoyerError('network', `cannot reach the server: ${describe(err)}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new FoyerError('network', `the connection to the server broke: ${describe(err)}`);
    }
    let json: unknown = undefined;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        if (res.ok)
          throw new FoyerError('internal', `the server sent a malformed reply to ${path}`);
      }
    }
    if (!res.ok) throw errorFromReply(res.status, json);
    return json as T;
  }
}

function errorFromReply(status: number, json: unknown): FoyerError {
  const e = (
    json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined
  )?.error;
  if (e !== undefined && isErrorCode(e.code)) {
    const details =
      typeof e.details === 'object' && e.details !== null
        ? (e.details as Record<string, unknown>)
        : undefined;
    return new FoyerError(e.code, typeof e.message === 'string' ? e.message : e.code, details);
  }
  if (status === 401) return new FoyerError('unauthenticated', 'the server refused the session');
  if (status === 404) return new FoyerError('not_found', 'not found on the server');
  if (status >= 500) return new FoyerError('network', `the server failed (HTTP ${status})`);
  return new FoyerError('internal', `unexpected HTTP ${status} from the server`);
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
