/**
 * The few server calls the engine does not make itself: the household's members (to start a
 * conversation) and the admin routes. They ride on the engine's session (the transport signs
 * in with the device key) and answer with the same stable error codes.
 */
import { FoyerError, isErrorCode, type HttpTransport } from '../lib/engine.ts';

export interface Member {
  name: string;
  admin: boolean;
}

export interface InviteSummary {
  id: number;
  admin: boolean;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface CreatedInvite {
  code: string;
  url: string;
  admin: boolean;
  expiresAt: number;
}

export interface UserSummary {
  name: string;
  admin: boolean;
  devices: number;
  createdAt: number;
}

export class ServerApi {
  private readonly transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.transport = transport;
  }

  async members(): Promise<Member[]> {
    return (await this.call<{ members: Member[] }>('GET', '/api/v1/members')).members;
  }

  async invites(): Promise<InviteSummary[]> {
    return (await this.call<{ invites: InviteSummary[] }>('GET', '/api/v1/admin/invites')).invites;
  }

  createInvite(admin: boolean, expiresInDays: number): Promise<CreatedInvite> {
    return this.call('POST', '/api/v1/admin/invites', { admin, expiresInDays });
  }

  async revokeInvite(id: number): Promise<void> {
    await this.call('DELETE', `/api/v1/admin/invites/${id}`);
  }

  async users(): Promise<UserSummary[]> {
    return (await this.call<{ users: UserSummary[] }>('GET', '/api/v1/admin/users')).users;
  }

  async removeUser(name: string): Promise<void> {
    await this.call('DELETE', `/api/v1/admin/users/${encodeURIComponent(name)}`);
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.transport.sessionToken();
      let res: Response;
      try {
        res = await fetch(path, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch {
        throw new FoyerError('network', 'the server cannot be reached');
      }
      if (res.status === 204) return undefined as T;
      const json = (await res.json().catch(() => null)) as unknown;
      if (res.ok) return json as T;
      const err = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      const code = isErrorCode(err?.code) ? err.code : 'internal';
      if (code === 'unauthenticated' && attempt === 0) {
        // The session expired: open a fresh one once.
        this.transport.invalidateSession();
        continue;
      }
      throw new FoyerError(code, typeof err?.message === 'string' ? err.message : res.statusText);
    }
  }
}
