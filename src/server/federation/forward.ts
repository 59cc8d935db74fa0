/**
 * What a device asks its own server about another instance, forwarded server to server: user
 * lookups, key-package claims and submissions to a group whose hub is elsewhere. The peer
 * sees this instance (its signature), never the device or its address; the device sees the
 * peer's answer (or its refusal, with the peer's code) as if its own server had given it.
 */
import type { Caller } from '../accounts/accounts.ts';
import type { Hub, Submission } from '../hub/hub.ts';
import type { ClaimedKeyPackages, SubmitResponse, UserInfo } from '../../shared/protocol/api.ts';
import { toBase64Url } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Address } from '../../shared/protocol/address.ts';
import {
  parseClaimedKeyPackages,
  parseSubmitResponse,
  parseUserInfo,
} from '../../shared/engine/transport/parseReplies.ts';
import type { PeerClient } from './peerClient.ts';
import type { FederationStore } from './store.ts';

export class Forwarder {
  private readonly client: PeerClient;
  private readonly store: FederationStore;
  private readonly hub: Hub;

  constructor(opts: { client: PeerClient; store: FederationStore; hub: Hub }) {
    this.client = opts.client;
    this.store = opts.store;
    this.hub = opts.hub;
  }

  /** A user of another instance, from that instance. */
  async user(a: Address): Promise<UserInfo> {
    const u = await understood(a.domain, parseUserInfo, () =>
      this.client.call(a.domain, 'GET', `/federation/v1/users/${a.user}`),
    ).catch(namingUser(a));
    // The peer answers for its own users only.
    if (u.name !== a.user || u.domain !== a.domain) {
      throw new FoyerError('peer_unreachable', `${a.domain} answered for another user`, {
        domain: a.domain,
      });
    }
    return u;
  }

  /** One key package per live device of a user of another instance, claimed there. */
  claim(a: Address): Promise<ClaimedKeyPackages> {
    return understood(a.domain, parseClaimedKeyPackages, () =>
      this.client.call(a.domain, 'POST', `/federation/v1/users/${a.user}/keypackages`, {}),
    ).catch(namingUser(a));
  }

  /**
   * A device's submission: to the hub here when the group lives here, else forwarded to the
   * group's hub (learnt from the items it delivered here). A group this instance knows no
   * hub for is answered by the local hub (`not_member`, as for any unknown group).
   */
  submit(caller: Caller, groupId: Uint8Array, s: Submission): Promise<SubmitResponse> {
    const hub = this.hub.isHubOf(groupId) ? undefined : this.store.hubOf(groupId);
    if (hub === undefined) return this.hub.submit(caller, groupId, s);
    return understood(hub, parseSubmitResponse, () =>
      this.client.call(hub, 'POST', `/federation/v1/groups/${toBase64Url(groupId)}/messages`, {
        sender: { user: caller.userName, deviceId: caller.deviceId },
        id: s.id,
        message: toBase64Url(s.message),
        ...(s.welcome === undefined ? {} : { welcome: toBase64Url(s.welcome) }),
        ...(s.groupInfo === undefined ? {} : { groupInfo: toBase64Url(s.groupInfo) }),
      }),
    );
  }
}

/**
 * The peer's "no such user" names no one (it answers for its own users); the device is told
 * which address it asked for. Other refusals pass unchanged.
 */
function namingUser(a: Address): (err: unknown) => never {
  return (err) => {
    if (err instanceof FoyerError && err.code === 'not_found') {
      throw new FoyerError('not_found', `no user ${a.user} at ${a.domain}`, {
        address: `${a.user}@${a.domain}`,
      });
    }
    throw err;
  };
}

/** Parses a peer's answer; one the parser refuses is the peer's fault, not the device's. */
async function understood<T>(
  domain: string,
  parse: (v: unknown) => T,
  call: () => Promise<unknown>,
): Promise<T> {
  const answer = await call();
  try {
    return parse(answer);
  } catch (err) {
    throw new FoyerError('peer_unreachable', `${domain} gave an answer not understood`, {
      domain,
      reason: err instanceof FoyerError ? err.message.slice(0, 200) : 'malformed',
    });
  }
}
