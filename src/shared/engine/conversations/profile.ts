/**
 * The group profile (title, description, picture), end-to-end encrypted: the content goes
 * to members as an application message, and the group policy, which the hub reads, holds
 * only a salted SHA-256 commitment to it. An edit is a policy commit (so the policy decides
 * who may edit, and the hub's order decides between concurrent edits: a losing edit is
 * rebased and lands after the winner) followed by the content. docs/groups.md.
 */
import { sha256 } from '../../crypto/ed25519.ts';
import { policyOf, type Group } from '../../mls/group.ts';
import { equalBytes, randomBytes, toBase64Url } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import type { EngineContext } from '../core/context.ts';
import { newMessageId } from '../core/ids.ts';
import { enqueue } from '../outbox/outbox.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import type { ConversationRecord } from '../store/model.ts';
import {
  encodeContent,
  MAX_DESCRIPTION_CHARS,
  MAX_PICTURE_BYTES,
  MAX_TITLE_CHARS,
  type ProfileContent,
} from './content.ts';
import { getActiveConversation, putConversation } from './conversationStore.ts';
import { changePolicy } from './governance.ts';

/** A profile as a shell gives it. */
export interface ProfileInput {
  title: string;
  description: string;
  picture: Uint8Array | null;
}

/**
 * Checks the bounds, builds the content with a fresh salt.
 * @throws FoyerError usage (too long), payload_too_large (picture)
 */
export function profileContent(input: ProfileInput): ProfileContent {
  if (input.title.length > MAX_TITLE_CHARS) {
    throw new FoyerError('usage', `a title has at most ${MAX_TITLE_CHARS} characters`);
  }
  if (input.description.length > MAX_DESCRIPTION_CHARS) {
    throw new FoyerError('usage', `a description has at most ${MAX_DESCRIPTION_CHARS} characters`);
  }
  if (input.picture !== null && input.picture.length > MAX_PICTURE_BYTES) {
    throw new FoyerError(
      'payload_too_large',
      `a group picture has at most ${MAX_PICTURE_BYTES} bytes: resize it first`,
      { max: MAX_PICTURE_BYTES },
    );
  }
  // Same key order as decodeContent builds: the receiver's bytes are the sender's.
  return {
    t: 'profile',
    salt: toBase64Url(randomBytes(16)),
    title: input.title,
    description: input.description,
    picture: input.picture === null ? null : toBase64Url(input.picture),
  };
}

/**
 * Sets the group profile: the commitment by a policy commit, then the content to members.
 * Call with the engine lock held.
 * @throws FoyerError forbidden_by_policy, usage, payload_too_large, network
 */
export async function setProfile(
  ctx: EngineContext,
  conversationId: string,
  input: ProfileInput,
): Promise<ConversationRecord> {
  const content = profileContent(input);
  const commitment = await sha256(encodeContent(content));
  await changePolicy(ctx, conversationId, { t: 'profile', commitment });
  const conv = await getActiveConversation(ctx.store, conversationId);
  conv.profile = content;
  conv.title = content.title;
  const tx = ctx.store.tx();
  await putConversation(tx, conv);
  await enqueue(ctx, tx, conversationId, newMessageId(), content);
  await tx.commit();
  return conv;
}

/**
 * A received profile: kept when its bytes hash to the group policy's commitment.
 * @returns true when the conversation changed
 */
export async function acceptProfile(
  group: Group,
  conv: ConversationRecord,
  content: ProfileContent,
  bytes: Uint8Array,
): Promise<boolean> {
  const expected = policyOf(group)?.profile.commitment;
  if (expected === undefined || expected.length === 0) return false;
  if (!equalBytes(await sha256(bytes), expected)) return false; // an older or refused edit
  if (conv.profile?.salt === content.salt) return false;
  conv.profile = content;
  conv.title = content.title;
  return true;
}

/** Queues the current profile for members who just joined (they cannot read older messages). */
export async function queueProfile(
  ctx: EngineContext,
  tx: StoreTx,
  conv: ConversationRecord,
): Promise<void> {
  if (conv.profile !== undefined) await enqueue(ctx, tx, conv.id, newMessageId(), conv.profile);
}
