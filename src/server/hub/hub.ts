/**
 * The hub: one per group, at the instance that created it. It orders handshake messages by
 * epoch (the first valid commit for epoch n wins; a late one gets `wrong_epoch` and the
 * current epoch) and hands every message to the delivery router for the member devices. It
 * reads commits (MLS PublicMessage) to follow membership; application messages stay opaque.
 *
 * Members are device addresses (user@domain + device id): nothing here assumes a member is
 * a device of this instance. The router decides where each one's copy goes; this instance's
 * own accounts are consulted only to check that a local device added by a commit is live.
 */
import type { Db } from '../storage/sqlite.ts';
import type { Caller } from '../accounts/accounts.ts';
import type { Revocations } from '../accounts/revocations.ts';
import type { Writer } from '../writer.ts';
import type { DeliveryRouter, LocalPushes } from '../delivery/router.ts';
import { unreachable } from '../delivery/router.ts';
import type { DeviceAddress } from '../delivery/address.ts';
import {
  MAX_APPLICATION_MESSAGE,
  type GroupStatus,
  type SubmitResponse,
} from '../../shared/protocol/api.ts';
import { inspectGroupInfo, inspectMessage } from '../../shared/mls/inspect.ts';
import { equalBytes, toBase64Url } from '../../shared/protocol/bytes.ts';
import { encodeCredential, type DeviceCredential } from '../../shared/protocol/credential.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { HubStore, type HubGroup } from './store.ts';
import { applyCommit, leafOf, type Member } from './leaves.ts';
import { formatAddress } from '../../shared/protocol/address.ts';
import { initialPolicy, type Policy } from '../../shared/governance/policy.ts';
import { encodePolicy } from '../../shared/governance/policyCodec.ts';
import { isBanned, isRefusal } from '../../shared/governance/rules.ts';
import { checkCommit, policyError, type LeafDevice } from '../../shared/governance/commitCheck.ts';

/** Groups one user may be in here; bounds what one account can make the hub keep. */
export const MAX_GROUPS_PER_USER = 1000;

export interface Submission {
  id: string;
  message: Uint8Array;
  welcome: Uint8Array | undefined;
  groupInfo: Uint8Array | undefined;
}

/** This instance's devices, as the hub needs to know them. */
export interface LocalDevices {
  /** The owner and issued credential of a live (not revoked) device of this instance. */
  liveDevice(deviceId: string): { user: string; credential: Uint8Array } | undefined;
}

export class Hub {
  private readonly writer: Writer;
  private readonly router: DeliveryRouter;
  private readonly localDevices: LocalDevices;
  readonly groups: HubStore;
  /**
   * Revoked devices keep their leaves until a commit removes them, but get nothing. The
   * server refreshes this at the start of every write batch (app.ts), so revocations made by
   * another process are seen before the next fan-out.
   */
  private readonly revoked: Revocations;
  accepted = 0;

  constructor(
    db: Db,
    writer: Writer,
    router: DeliveryRouter,
    localDevices: LocalDevices,
    revocations: Revocations,
  ) {
    this.writer = writer;
    this.router = router;
    this.localDevices = localDevices;
    this.groups = new HubStore(db);
    this.revoked = revocations;
  }

  /** Stops all delivery to a revoked device. */
  deviceRevoked(deviceId: string): void {
    this.revoked.add(deviceId);
  }

  /** Creates a group hub with the caller's device at leaf 0, epoch 0. */
  async create(
    caller: Caller,
    groupId: Uint8Array,
    groupInfo: Uint8Array | undefined,
  ): Promise<GroupStatus> {
    const member = this.addressOf(caller);
    const policy =
      groupInfo === undefined
        ? undefined
        : initialPolicyOf(this.checkGroupInfo(groupId, groupInfo, 0).policy, member);
    return this.writer.run((tx) => {
      // An existing id reads as any group the caller is not in (ids are not an oracle); for
      // one of its members, creating again is a retry that changes nothing.
      if (this.groups.get(groupId) !== undefined) return status(this.memberGroup(caller, groupId));
      if (this.groups.countForUser(caller.userId, this.router.domain) >= MAX_GROUPS_PER_USER) {
        throw new FoyerError(
          'limit_reached',
          `a user may be in at most ${MAX_GROUPS_PER_USER} groups of this instance`,
        );
      }
      const g = this.groups.create(tx, groupId, member, groupInfo, policy, Date.now());
      return status(g);
    });
  }

  status(caller: Caller, groupId: Uint8Array): GroupStatus {
    return status(this.memberGroup(caller, groupId));
  }

  groupInfo(caller: Caller, groupId: Uint8Array): Uint8Array {
    const g = this.memberGroup(caller, groupId);
    if (g.groupInfo === undefined) throw new FoyerError('not_found', 'no GroupInfo yet');
    return g.groupInfo;
  }

  /**
   * The status of a group hubbed here, for another instance that has at least one member
   * device in it (forwarded for one of its devices; which one it does not say).
   * @throws FoyerError not_member when that instance has no device in the group, or there is
   * no such group (the same answer)
   */
  statusForPeer(domain: string, groupId: Uint8Array): GroupStatus {
    return status(this.peerGroup(domain, groupId));
  }

  /**
   * The latest GroupInfo of a group hubbed here, for another instance that has a member device
   * in it, with the ids of that instance's member devices (so it can check the asking device
   * is one of them without telling which).
   * @throws FoyerError not_member as {@link statusForPeer}; not_found when there is no
   * GroupInfo yet
   */
  groupInfoForPeer(
    domain: string,
    groupId: Uint8Array,
  ): { groupInfo: Uint8Array; devices: string[] } {
    const g = this.peerGroup(domain, groupId);
    if (g.groupInfo === undefined) throw new FoyerError('not_found', 'no GroupInfo yet');
    const devices = [...g.leaves.values()]
      .filter((m) => m.domain === domain)
      .map((m) => m.deviceId);
    return { groupInfo: g.groupInfo, devices };
  }

  /** Whether this instance is the hub of `groupId` (the group was created here). */
  isHubOf(groupId: Uint8Array): boolean {
    return this.groups.get(groupId) !== undefined;
  }

  /** Accepts one MLS message for a group; resolves once it is durable and fanned out. */
  submit(caller: Caller, groupId: Uint8Array, s: Submission): Promise<SubmitResponse> {
    return this.submitFrom(this.addressOf(caller), groupId, s);
  }

  /**
   * Accepts one MLS message from a member device, of this instance or (forwarded, signed, by
   * its own instance) of another: both are ordered and fanned out alike.
   * @param heldAtOrigin an application message the sender's instance already delivered to its
   * own member devices while it could not reach this hub: fanned out to every other instance
   * but not back to the sender's (docs/federation.md, Partitions)
   */
  async submitFrom(
    sender: DeviceAddress,
    groupId: Uint8Array,
    s: Submission,
    heldAtOrigin = false,
  ): Promise<SubmitResponse> {
    const inspected = inspectMessage(s.message);
    if (!equalBytes(inspected.groupId, groupId)) {
      throw new FoyerError('bad_request', 'message is for another group');
    }
    if (heldAtOrigin && (inspected.type !== 'application' || this.router.isLocal(sender))) {
      throw new FoyerError('bad_request', 'only a remote application message can be held');
    }
    if (inspected.type === 'application' && s.message.length > MAX_APPLICATION_MESSAGE) {
      throw new FoyerError(
        'payload_too_large',
        `an application message has at most ${MAX_APPLICATION_MESSAGE} bytes`,
        { max: MAX_APPLICATION_MESSAGE },
      );
    }
    if (inspected.type === 'proposal') {
      throw new FoyerError('bad_request', 'standalone proposals are not accepted; commit them');
    }
    if (inspected.type === 'commit') {
      if (inspected.sender.kind !== 'member') {
        throw new FoyerError('forbidden', 'external commits are not accepted by this hub yet');
      }
      if (inspected.byReference > 0) {
        throw new FoyerError('bad_request', 'commits must carry their proposals by value');
      }
      if (inspected.adds.length > 0 && s.welcome === undefined) {
        throw new FoyerError('bad_request', 'a commit that adds members needs its welcome');
      }
      if (s.groupInfo !== undefined) this.checkGroupInfo(groupId, s.groupInfo, inspected.epoch + 1);
    }
    const adds = inspected.type === 'commit' ? inspected.adds.map((c) => this.addable(c)) : [];

    return this.writer.run((tx) => {
      // A socket opened before a revocation made elsewhere may still be open for a moment.
      if (this.router.isLocal(sender) && this.revoked.has(sender.deviceId)) {
        throw new FoyerError('device_revoked', 'this device has been revoked');
      }
      const now = Date.now();
      const g = this.memberGroupAt(sender, groupId);
      if (this.groups.wasSeen(groupId, s.id)) return { epoch: g.epoch, duplicate: true };
      const senderLeaf = leafOf(g.leaves, sender)!;
      const senderMember = g.leaves.get(senderLeaf);
      const pushes: LocalPushes[] = [];
      const message = { kind: 'message', groupId, msgId: s.id, body: s.message } as const;

      let epoch = g.epoch;
      if (inspected.type === 'application') {
        if (inspected.epoch > g.epoch) {
          throw new FoyerError('wrong_epoch', 'message is for a future epoch', { epoch: g.epoch });
        }
        // Banned devices wait only for the commit that removes them: no more messages.
        const members = readersOf(g.leaves.values(), g.policy);
        const readers = members.filter(
          // The sender's instance already placed a held message with its own members.
          (m) => m !== senderMember && (!heldAtOrigin || m.domain !== sender.domain),
        );
        pushes.push(this.router.deliver(tx, readers, { ...message, sender, members }, now));
      } else {
        if (inspected.epoch !== g.epoch) {
          throw new FoyerError('wrong_epoch', `the group is at epoch ${g.epoch}`, {
            epoch: g.epoch,
          });
        }
        if (inspected.sender.kind !== 'member' || inspected.sender.leaf !== senderLeaf) {
          throw new FoyerError('forbidden', "commit sender is not the submitting device's leaf");
        }
        if (inspected.removes.includes(senderLeaf)) {
          throw new FoyerError('bad_request', 'a commit cannot remove its own sender');
        }
        const change = applyCommit(g.leaves, inspected.removes, adds);
        const verdict = checkCommit(g.policy, {
          committer: leafDevice(sender),
          before: [...g.leaves.values()].map(leafDevice),
          removed: change.removed.map((r) => leafDevice(r.member)),
          added: change.added.map((a) => leafDevice(a.member)),
          newPolicy: inspected.policy,
        });
        if (isRefusal(verdict)) throw policyError(verdict);
        const newPolicy =
          inspected.policy !== undefined && verdict.policy !== undefined
            ? { decoded: verdict.policy, bytes: inspected.policy }
            : undefined;
        epoch = g.epoch + 1;
        const members = readersOf(change.leaves.values(), newPolicy?.decoded ?? g.policy);
        const others = [...g.leaves.values()].filter((m) => m !== senderMember);
        pushes.push(this.router.deliver(tx, others, { ...message, members }, now));
        if (change.added.length > 0) {
          const welcomed = change.added.map((a) => a.member);
          const welcome = { kind: 'welcome', groupId, msgId: s.id, body: s.welcome! } as const;
          pushes.push(this.router.deliver(tx, welcomed, { ...welcome, members }, now));
        }
        this.groups.advance(tx, g, epoch, change, s.groupInfo, newPolicy);
      }
      this.groups.markSeen(tx, groupId, s.id, now);
      this.accepted++;
      this.writer.onCommit(() => {
        for (const p of pushes) this.router.publish(p);
      });
      return { epoch, duplicate: false };
    });
  }

  /**
   * Forgets a group whose every remaining leaf is a device of the caller's user (everyone
   * else left or was removed): its leaf table, GroupInfo and policy go.
   * @throws FoyerError not_member, forbidden (other members remain)
   */
  forget(caller: Caller, groupId: Uint8Array): Promise<void> {
    return this.writer.run((tx) => {
      const g = this.memberGroup(caller, groupId);
      const me = this.addressOf(caller);
      if ([...g.leaves.values()].some((m) => m.user !== me.user || m.domain !== me.domain)) {
        throw new FoyerError('forbidden', 'other members remain: leave the group instead');
      }
      this.groups.forget(tx, groupId);
    });
  }

  /** Drops the hub's cache after a failed batch, so it is reloaded from disk. */
  reset(): void {
    this.groups.clear();
  }

  private memberGroup(caller: Caller, groupId: Uint8Array): HubGroup {
    return this.memberGroupAt(this.addressOf(caller), groupId);
  }

  private memberGroupAt(member: DeviceAddress, groupId: Uint8Array): HubGroup {
    const g = this.groups.get(groupId);
    if (g === undefined || leafOf(g.leaves, member) === undefined) {
      // Same answer for "no such group" and "not a member": ids are not an oracle.
      throw new FoyerError('not_member', 'this device is not a member of that group');
    }
    return g;
  }

  private peerGroup(domain: string, groupId: Uint8Array): HubGroup {
    const g = this.groups.get(groupId);
    if (g === undefined || ![...g.leaves.values()].some((m) => m.domain === domain)) {
      throw new FoyerError('not_member', 'that instance has no device in that group');
    }
    return g;
  }

  /** The address of an authenticated caller: always a device of this instance. */
  private addressOf(caller: Caller): DeviceAddress {
    return { user: caller.userName, domain: this.router.domain, deviceId: caller.deviceId };
  }

  private checkGroupInfo(
    groupId: Uint8Array,
    groupInfo: Uint8Array,
    epoch: number,
  ): { policy: Uint8Array | undefined } {
    const gi = inspectGroupInfo(groupInfo);
    if (!equalBytes(gi.groupId, groupId) || gi.epoch !== epoch) {
      throw new FoyerError('bad_request', `groupInfo must be for this group at epoch ${epoch}`);
    }
    return gi;
  }

  /**
   * A device a commit may add: one the router can deliver to. A device of this instance must
   * be live, belong to the user its credential names and carry the very credential this
   * instance issued; a device of another instance is
   * that instance's to vouch for (its credential carries the instance's signature, which
   * the members' clients check).
   * @throws FoyerError federation_unavailable, not_found, forbidden
   */
  private addable(credential: DeviceCredential): Member {
    const address: Member = {
      user: credential.user,
      domain: credential.domain,
      deviceId: credential.deviceId,
    };
    if (!this.router.reaches(address.domain)) throw unreachable(address.domain);
    if (!this.router.isLocal(address)) return address;
    const live = this.localDevices.liveDevice(address.deviceId);
    if (live === undefined) {
      throw new FoyerError('not_found', 'a device in this commit is unknown or revoked');
    }
    if (live.user !== address.user) {
      throw new FoyerError('forbidden', 'a key package in this commit names another user');
    }
    // The whole credential, both signatures included, must be the one this instance issued:
    // a forged one (other keys under a real device id and name) is refused here, not only by
    // each member's client.
    if (!equalBytes(encodeCredential(credential), live.credential)) {
      throw new FoyerError(
        'forbidden',
        'a key package in this commit does not carry the credential this instance issued',
      );
    }
    return address;
  }
}

/** The members that read application messages: all but the devices the policy bans. */
function readersOf(members: Iterable<Member>, policy: Policy | undefined): Member[] {
  const all = [...members];
  return policy === undefined
    ? all
    : all.filter((m) => !isBanned(policy, formatAddress(m), m.deviceId));
}

function leafDevice(m: Member): LeafDevice {
  return { identity: formatAddress(m), deviceId: m.deviceId };
}

/**
 * A new group's policy, read from its first GroupInfo: absent (an ungoverned group), or
 * exactly the initial policy with the creator as only admin.
 * @throws FoyerError forbidden_by_policy for any other policy
 */
function initialPolicyOf(bytes: Uint8Array | undefined, creator: Member): Policy | undefined {
  if (bytes === undefined) return undefined;
  const expected = initialPolicy(formatAddress(creator));
  if (!equalBytes(bytes, encodePolicy(expected))) {
    throw new FoyerError(
      'forbidden_by_policy',
      'a new group starts with its creator as its only admin',
      { rule: 'initial_policy' },
    );
  }
  return expected;
}

function status(g: HubGroup): GroupStatus {
  return {
    groupId: toBase64Url(g.id),
    epoch: g.epoch,
    members: [...g.leaves].map(([leaf, m]) => ({ leaf, ...m })).sort((a, b) => a.leaf - b.leaf),
  };
}
