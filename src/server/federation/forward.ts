/**
 * What a device asks its own server about another instance, forwarded server to server: user
 * lookups, key-package claims and submissions to a group whose hub is elsewhere. The peer
 * sees this instance (its signature), never the device or its address; the device sees the
 * peer's answer (or its refusal, with the peer's code) as if its own server had given it.
 */
import type { Caller } from '../accounts/accounts.ts';
import type { Hub, Submission } from '../hub/hub.ts';
import {
  MAX_APPLICATION_MESSAGE,
  type ClaimedKeyPackages,
  type GroupStatus,
  type SubmitResponse,
  type UserInfo,
} from '../../shared/protocol/api.ts';
import { equalBytes, fromBase64Url, toBase64Url } from '../../shared/protocol/bytes.ts';
import { inspectMessage } from '../../shared/mls/inspect.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { Address } from '../../shared/protocol/address.ts';
import { ReplyFields } from '../../shared/engine/transport/replyFields.ts';
import {
  parseGroupStatus,
  parseClaimedKeyPackages,
  parseSubmitResponse,
  parseUserInfo,
} from '../../shared/engine/transport/parseReplies.ts';
import type { PeerClient } from './peerClient.ts';
import type { FederationStore } from './store.ts';
import { isUnreachable, type Relay } from './relay.ts';

export class Forwarder {
  private readonly client: PeerClient;
  private readonly store: FederationStore;
  private readonly hub: Hub;
  private readonly relay: Relay;

  constructor(opts: { client: PeerClient; store: FederationStore; hub: Hub; relay: Relay }) {
    this.client = opts.client;
    this.store = opts.store;
    this.hub = opts.hub;
    this.relay = opts.relay;
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
   *
   * Partitions: an application message that cannot reach the hub — the forward fails as
   * unreachable, or messages are already held for that hub and must go first — is held
   * (relay.ts): placed at once with this instance's member devices and queued for the hub.
   * Forwarding first, rather than always holding, keeps the hub's single order for every
   * instance, and its refusals synchronous, whenever the hub can be reached. A commit waits
   * for the hub, and for the group's held messages, so that it never overtakes them.
   */
  async submit(caller: Caller, groupId: Uint8Array, s: Submission): Promise<SubmitResponse> {
    const hub = this.hub.isHubOf(groupId) ? undefined : this.store.hubOf(groupId);
    if (hub === undefined) return this.hub.submit(caller, groupId, s);
    const inspected = inspectMessage(s.message);
    if (!equalBytes(inspected.groupId, groupId)) {
      throw new FoyerError('bad_request', 'message is for another group');
    }
    if (inspected.type !== 'application') {
      if (this.relay.holdsGroup(groupId)) {
        throw new FoyerError('peer_unreachable', `${hub} has not yet taken this group's messages`, {
          domain: hub,
          reason: 'held messages first',
        });
      }
      return this.forward(hub, caller, groupId, s);
    }
    if (s.message.length > MAX_APPLICATION_MESSAGE) {
      throw new FoyerError(
        'payload_too_large',
        `an application message has at most ${MAX_APPLICATION_MESSAGE} bytes`,
        { max: MAX_APPLICATION_MESSAGE },
      );
    }
    if (this.relay.holdsFor(hub)) {
      const held = await this.relay.hold(caller, hub, groupId, s, inspected.epoch);
      if (held !== undefined) return held;
      return this.forward(hub, caller, groupId, s);
    }
    try {
      return await this.forward(hub, caller, groupId, s);
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      const held = await this.relay.hold(caller, hub, groupId, s, inspected.epoch);
      if (held === undefined) throw err;
      return held;
    }
  }

  private forward(
    hub: string,
    caller: Caller,
    groupId: Uint8Array,
    s: Submission,
  ): Promise<SubmitResponse> {
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

  /**
   * A group's status: from the hub here, else from the group's hub elsewhere, handed to the
   * device only if it is one of the members (the hub answers this instance, not the device).
   */
  async status(caller: Caller, groupId: Uint8Array): Promise<GroupStatus> {
    const hub = this.remoteHubOf(groupId);
    if (hub === undefined) return this.hub.status(caller, groupId);
    const s = await understood(hub, parseGroupStatus, () =>
      this.client.call(hub, 'GET', `/federation/v1/groups/${toBase64Url(groupId)}`),
    );
    if (s.groupId !== toBase64Url(groupId)) {
      throw new FoyerError('peer_unreachable', `${hub} answered for another group`, {
        domain: hub,
      });
    }
    const self = this.client.domain;
    if (!s.members.some((m) => m.domain === self && m.deviceId === caller.deviceId)) {
      throw notMember();
    }
    return s;
  }

  /** A group's latest GroupInfo, as {@link status}: here, or from the group's hub. */
  async groupInfo(caller: Caller, groupId: Uint8Array): Promise<Uint8Array> {
    const hub = this.remoteHubOf(groupId);
    if (hub === undefined) return this.hub.groupInfo(caller, groupId);
    const info = await understood(hub, parsePeerGroupInfo, () =>
      this.client.call(
        hub,
        'GET',
        `/federation/v1/groups/${toBase64Url(groupId)}/info`,
        undefined,
        {
          maxAnswerBytes: MAX_GROUP_INFO_ANSWER,
        },
      ),
    );
    if (!info.devices.includes(caller.deviceId)) throw notMember();
    return info.groupInfo;
  }

  /** The hub of a group followed here, unless this instance is its hub (or knows none). */
  private remoteHubOf(groupId: Uint8Array): string | undefined {
    return this.hub.isHubOf(groupId) ? undefined : this.store.hubOf(groupId);
  }
}

/** A GroupInfo of at most 512 KiB in base64url, and the list of member devices. */
const MAX_GROUP_INFO_ANSWER = 1024 * 1024;

function notMember(): FoyerError {
  // The answer a local hub gives for an unknown group or a non-member alike.
  return new FoyerError('not_member', 'this device is not a member of that group');
}

/** The hub's answer to `GET /federation/v1/groups/:groupId/info`. */
function parsePeerGroupInfo(v: unknown): { groupInfo: Uint8Array; devices: string[] } {
  const f = ReplyFields.of(v, 'group info');
  const groupInfo = fromBase64Url(f.b64('groupInfo', MAX_GROUP_INFO_ANSWER));
  const devices = f.raw('devices');
  if (groupInfo === undefined || groupInfo.length === 0) {
    throw new FoyerError('bad_reply', 'group info.groupInfo is malformed');
  }
  if (
    !Array.isArray(devices) ||
    devices.length > 1000 ||
    !devices.every((d) => typeof d === 'string')
  ) {
    throw new FoyerError('bad_reply', 'group info.devices is malformed');
  }
  return { groupInfo, devices: devices as string[] };
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
