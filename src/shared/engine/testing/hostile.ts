/**
 * FOR TESTS ONLY: a hostile member's commit, built with the MLS library directly from its
 * engine's state (none of Foyer's checks), to put straight into other devices' mailboxes on
 * a FakeServer, as only a misbehaving server could deliver it (or to submit to the
 * FakeServer's hub, which, unlike the real one, does not check the group policy).
 */
import type { Proposal } from 'ts-mls';
import { toBase64Url } from '../../protocol/bytes.ts';
import { unsafeUncheckedCommit } from '../../mls/testing.ts';
import { loadGroup } from '../conversations/conversationStore.ts';
import { newMessageId } from '../core/ids.ts';
import type { Engine } from '../engine.ts';
import type { FakeServer } from './fakeServer.ts';

/** A commit of `proposals` on `hostile`'s current state of `groupId`, that state left as it was. */
export async function hostileCommit(
  hostile: Engine,
  groupId: string,
  proposals: Proposal[],
): Promise<Uint8Array> {
  return hostile.run(async (ctx) => {
    const group = await loadGroup(ctx, ctx.store, groupId);
    return (await unsafeUncheckedCommit(group, proposals, ctx.deps)).commit;
  });
}

/** A hostile commit (see hostileCommit) delivered to each engine of `to`, bypassing the hub. */
export async function injectCommit(
  server: FakeServer,
  hostile: Engine,
  groupId: string,
  proposals: Proposal[],
  to: Engine[],
): Promise<void> {
  const commit = await hostileCommit(hostile, groupId, proposals);
  const item = { kind: 'message' as const, groupId, payload: toBase64Url(commit) };
  for (const e of to) server.deliver(e.whoami().deviceId, { ...item, id: newMessageId() });
}
