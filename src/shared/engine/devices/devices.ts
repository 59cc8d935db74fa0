/**
 * This user's devices: listing, revoking, and keeping every conversation's leaves in line
 * with the live devices — a device linked since is added, a revoked one is removed (the
 * account channel included: an added device is sent a settings snapshot there). The
 * revoking (or approving) device does it; any of the user's devices may, at each sync.
 */
import { membersOf, policyOf, removeMembers } from '../../mls/group.ts';
import { isBanned } from '../../governance/rules.ts';
import { formatAddress } from '../../protocol/address.ts';
import type { DeviceInfo } from '../../protocol/api.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { runCommit, resolvePendingCommit } from '../sync/commitFlow.ts';
import type { EngineContext } from '../core/context.ts';
import { allConversations, loadGroup } from '../conversations/conversationStore.ts';
import { newMessageId } from '../core/ids.ts';
import { claimPackages, commitAdds, metaOf } from '../conversations/membership.ts';
import { enqueueSnapshot } from '../settings/channel.ts';
import { readSettings } from '../settings/settingsStore.ts';
import { hiddenByBlock, meOf } from '../settings/visibility.ts';
import { enqueue } from '../outbox/outbox.ts';

export interface DeviceView {
  id: string;
  current: boolean;
  revoked: boolean;
  createdAt: number;
  lastSeenAt: number | null;
}

export async function listDevices(ctx: EngineContext): Promise<DeviceView[]> {
  return (await ctx.transport.devices()).map((d) => ({
    id: d.id,
    current: d.id === ctx.account.deviceId,
    revoked: d.revoked,
    createdAt: d.createdAt,
    lastSeenAt: d.lastSeenAt,
  }));
}

export interface ReconcileResult {
  added: number;
  removed: number;
  /** Live devices still missing from some conversation (no key package yet). */
  missing: string[];
}

/**
 * Adds this user's live devices to every active conversation they are missing from (unless
 * the group banned that device), and removes revoked ones. Call with the engine lock held.
 */
export async function reconcileOwnDevices(
  ctx: EngineContext,
  devices?: DeviceInfo[],
): Promise<ReconcileResult> {
  const list = devices ?? (await ctx.transport.devices());
  const live = new Set(list.filter((d) => !d.revoked).map((d) => d.id));
  const { user, domain, deviceId: self } = ctx.account;
  const isMine = (c: { user: string; domain: string }) => c.user === user && c.domain === domain;
  const result: ReconcileResult = { added: 0, removed: 0, missing: [] };

  const settings = await readSettings(ctx.store);
  for (const conv of await allConversations(ctx.store)) {
    if (conv.status !== 'active') continue;
    // A blocked person's hidden conversation stays as it is: a commit would tell them.
    if (hiddenByBlock(conv, settings, meOf(ctx))) continue;
    await resolvePendingCommit(ctx, conv.id);
    const group = await loadGroup(ctx, ctx.store, conv.id);
    const mine = membersOf(group)
      .map((m) => m.credential)
      .filter(isMine);
    // A device banned from this group stays out of it (the policy would refuse the add).
    const policy = policyOf(group);
    const banned = (id: string) =>
      policy !== undefined && isBanned(policy, formatAddress({ user, domain }), id);
    if (mine.some((c) => c.deviceId !== self && !live.has(c.deviceId))) {
      const removed = await runCommit(ctx, conv.id, async (group) => {
        const leaves = membersOf(group)
          .filter((m) => isMine(m.credential) && m.credential.deviceId !== self)
          .filter((m) => !live.has(m.credential.deviceId))
          .map((m) => m.leaf);
        return leaves.length === 0
          ? null
          : { output: await removeMembers(group, leaves, ctx.deps) };
      });
      if (removed) result.removed++;
    }
    const absent = [...live].filter(
      (id) => id !== self && !banned(id) && !mine.some((c) => c.deviceId === id),
    );
    if (absent.length === 0) continue;
    // One package per device per conversation: claim afresh for each conversation.
    const claimed = (await claimPackages(ctx, [{ user, domain }])).filter((c) =>
      absent.includes(c.deviceId),
    );
    for (const id of absent) {
      if (!claimed.some((c) => c.deviceId === id) && !result.missing.includes(id)) {
        result.missing.push(id);
      }
    }
    if (claimed.length > 0 && (await commitAdds(ctx, conv.id, claimed))) {
      result.added++;
      const tx = ctx.store.tx();
      await enqueue(ctx, tx, conv.id, newMessageId(), metaOf(conv));
      // A device added to the account channel learns the current settings from one snapshot.
      if (conv.channel === 'account') await enqueueSnapshot(ctx, tx, conv.id);
      await tx.commit();
    }
  }
  return result;
}

/**
 * Revokes another device of this user on the server, then removes its leaves everywhere.
 * Call with the engine lock held. @throws FoyerError usage (this device), not_found
 */
export async function revokeDevice(ctx: EngineContext, deviceId: string): Promise<ReconcileResult> {
  if (deviceId === ctx.account.deviceId) {
    throw new FoyerError('usage', 'a device cannot revoke itself; revoke it from another device');
  }
  await ctx.transport.revokeDevice(deviceId);
  return reconcileOwnDevices(ctx);
}
