/**
 * A device that speaks the client API directly, with real keys and real MLS (ts-mls via
 * src/shared/mls), for the server's integration tests. It is a test driver, not the client
 * engine: it lets a test make exactly the requests it wants, bad ones included.
 */
import {
  generateSignatureKeyPair,
  signBytes,
  signDeviceBinding,
  type SignatureKeyPair,
} from '../../src/shared/mls/keys.ts';
import { createKeyPackage, type CreatedKeyPackage } from '../../src/shared/mls/keyPackages.ts';
import type { TrustStore } from '../../src/shared/mls/trust.ts';
import {
  concatBytes,
  fromBase64Url,
  randomBytes,
  toBase64Url,
  utf8,
} from '../../src/shared/protocol/bytes.ts';
import {
  SESSION_LABEL,
  type MailboxItem,
  type RegisterResponse,
  type ServerFrame,
  type WellKnown,
} from '../../src/shared/protocol/api.ts';

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** Trusts exactly one instance key; accepts every identity (pinning is the engine's job). */
export function trustInstance(instanceKey: Uint8Array): TrustStore {
  return {
    instanceKeys: async () => [instanceKey],
    acceptIdentity: async () => true,
  };
}

export class ApiDevice {
  url: string;
  readonly id = toBase64Url(randomBytes(16));
  name = '';
  identity!: SignatureKeyPair;
  signature!: SignatureKeyPair;
  credential!: Uint8Array;
  instanceKey!: Uint8Array;
  token = '';
  trust!: TrustStore;
  private readonly keyPackages = new Map<string, CreatedKeyPackage>();

  constructor(url: string) {
    this.url = url;
  }

  /** Registers a new user with this as its first device, and opens a session. */
  static async register(url: string, invite: string, name: string): Promise<ApiDevice> {
    const d = new ApiDevice(url);
    d.identity = await generateSignatureKeyPair();
    d.signature = await generateSignatureKeyPair();
    const wk = (await d.call<WellKnown>('GET', '/.well-known/foyer')).body;
    const identitySignature = await signDeviceBinding(d.identity, {
      user: name,
      domain: wk.domain,
      deviceId: d.id,
      deviceKey: d.signature.publicKey,
      identityKey: d.identity.publicKey,
    });
    const r = await d.call<RegisterResponse>('POST', '/api/v1/accounts', {
      invite,
      name,
      device: {
        id: d.id,
        signatureKey: toBase64Url(d.signature.publicKey),
        identityKey: toBase64Url(d.identity.publicKey),
        identitySignature: toBase64Url(identitySignature),
      },
    });
    if (r.status !== 200) throw new Error(`register failed: ${JSON.stringify(r.body)}`);
    d.name = name;
    d.credential = fromBase64Url(r.body.credential)!;
    d.instanceKey = fromBase64Url(r.body.instanceKey)!;
    d.trust = trustInstance(d.instanceKey);
    await d.login();
    return d;
  }

  async login(): Promise<void> {
    const c = await this.call<{ challenge: string }>('POST', '/api/v1/sessions/challenge', {
      deviceId: this.id,
    });
    const challenge = fromBase64Url(c.body.challenge)!;
    const signature = await signBytes(this.signature, concatBytes(utf8(SESSION_LABEL), challenge));
    const s = await this.call<{ token: string }>('POST', '/api/v1/sessions', {
      deviceId: this.id,
      challenge: c.body.challenge,
      signature: toBase64Url(signature),
    });
    if (s.status !== 200) throw new Error(`login failed: ${JSON.stringify(s.body)}`);
    this.token = s.body.token;
  }

  get keys(): { signature: SignatureKeyPair; credential: Uint8Array } {
    return { signature: this.signature, credential: this.credential };
  }

  /** Uploads `n` fresh key packages, keeping their private parts. */
  async uploadKeyPackages(n: number): Promise<Reply> {
    const made: CreatedKeyPackage[] = [];
    for (let i = 0; i < n; i++) made.push(await createKeyPackage(this.keys, this.trust));
    for (const kp of made) this.keyPackages.set(kp.ref, kp);
    return this.call('POST', '/api/v1/keypackages', {
      keyPackages: made.map((k) => toBase64Url(k.publicPackage)),
    });
  }

  keyPackageFor(refs: string[]): CreatedKeyPackage {
    for (const r of refs) {
      const kp = this.keyPackages.get(r);
      if (kp !== undefined) return kp;
    }
    throw new Error('no stored key package for this welcome');
  }

  /** One HTTP request; never throws on an error status. */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.token !== '' && h['authorization'] === undefined)
      h['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(this.url + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as T };
  }

  async mailbox(after = 0): Promise<MailboxItem[]> {
    const r = await this.call<{ items: MailboxItem[] }>(
      'GET',
      `/api/v1/mailbox?after=${after}&limit=500`,
    );
    if (r.status !== 200) throw new Error(`mailbox failed: ${JSON.stringify(r.body)}`);
    return r.body.items;
  }

  /** Opens an authenticated WebSocket; frames are collected and can be awaited. */
  async socket(after = 0): Promise<SocketClient> {
    const ws = new WebSocket(this.url.replace('http', 'ws') + '/api/v1/ws');
    const client = new SocketClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error('websocket failed')), { once: true });
    });
    ws.send(JSON.stringify({ op: 'auth', token: this.token, after }));
    await client.next((f) => f.op === 'ready');
    return client;
  }
}

export class SocketClient {
  readonly frames: ServerFrame[] = [];
  private waiters: Array<{
    pred: (f: ServerFrame) => boolean;
    resolve: (f: ServerFrame) => void;
    from: number;
  }> = [];
  readonly ws: WebSocket;
  closed: Promise<number>;

  constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) =>
      ws.addEventListener('close', (e) => resolve(e.code), { once: true }),
    );
    ws.addEventListener('message', (e) => {
      const f = JSON.parse(String(e.data)) as ServerFrame;
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => {
        if (w.pred(f)) {
          w.resolve(f);
          return false;
        }
        return true;
      });
    });
  }

  /** The first frame (already received or future) matching `pred`. */
  next(pred: (f: ServerFrame) => boolean): Promise<ServerFrame> {
    const seen = this.frames.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve, from: this.frames.length }));
  }

  /** Every item pushed so far. */
  items(): MailboxItem[] {
    return this.frames.flatMap((f) => (f.op === 'items' ? f.items : []));
  }

  /** Resolves once `n` items in total have been pushed. */
  async untilItems(n: number): Promise<MailboxItem[]> {
    while (this.items().length < n)
      await this.next((f) => f.op === 'items' && this.items().length >= n);
    return this.items();
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.ws.close();
  }
}
