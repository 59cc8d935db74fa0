/**
 * FOR TESTS ONLY: a hostile member's commit, built with the MLS library directly from its
 * engine's state (none of Foyer's checks) and put straight into other devices' mailboxes on
 * a FakeServer, as only a misbehaving server could deliver it.
 */
import type { Proposal } from 'ts-mls';
import { toBase64Url } from '../../protocol/bytes.ts';
import { unsafeUncheckedCommit } from '../../mls/testing.ts';
import { loadGroup } from '../conversations/conversationStore.ts';
import { newMessageId } from '../core/ids.ts';
import type { Engine } from '../engine.ts';
import type { FakeServer } from './fakeServer.ts';

/**
 * Builds a commit of `proposals` on `hostile`'s current state of `groupId` (leaving that
 * state as it was) and delivers it to each engine of `to`, bypassing the hub.
 */
export async function injectCommit(
  server: FakeServer,
  hostile: Engine,
  groupId: string,
  proposals: Proposal[],
  to: Engine[],
): Promise<void> {
  const commit = await hostile.run(async (ctx) => {
    const group = await loadGroup(ctx, ctx.store, groupId);
    return (await unsafeUncheckedCommit(group, proposals, ctx.deps)).commit;
  });
  const item = { kind: 'message' as const, groupId, payload: toBase64Url(commit) };
  for (const e of to) server.deliver(e.whoami().deviceId, { ...item, id: newMessageId() });
}
