/**
 * Statuses the group's hub writes about a message this device sent (api.ts DeliveryStatus):
 * `relayed` once another instance's server accepted it for its members, `failed` once the
 * hub's queue for that instance gave it up. They move our message along like receipts do
 * (never backwards); a failure is shown with its reason, naming the instance.
 */
import type { DeliveryStatus } from '../../protocol/api.ts';
import { fromUtf8 } from '../../protocol/bytes.ts';
import { FoyerError } from '../../protocol/errors.ts';
import { isDomain } from '../../protocol/names.ts';
import type { EngineContext } from '../core/context.ts';
import { findMessage, putMessage } from '../conversations/conversationStore.ts';
import type { StoreTx } from '../store/encryptedStore.ts';
import type { DeliveryState } from '../store/model.ts';
import type { After } from './incoming.ts';
import { RANK } from './application.ts';

/** @throws FoyerError bad_request when the status is malformed */
export function parseStatus(payload: Uint8Array): DeliveryStatus {
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(payload) ?? '');
  } catch {
    throw new FoyerError('bad_request', 'a delivery status is not JSON');
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const reason = o['reason'];
  if (
    o['v'] !== 1 ||
    typeof o['id'] !== 'string' ||
    o['id'].length > 64 ||
    (o['state'] !== 'relayed' && o['state'] !== 'failed') ||
    !isDomain(o['domain']) ||
    (reason !== undefined && (typeof reason !== 'string' || reason.length > 200))
  ) {
    throw new FoyerError('bad_request', 'a delivery status is malformed');
  }
  return {
    v: 1,
    id: o['id'],
    state: o['state'],
    domain: o['domain'],
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

export async function handleStatus(
  ctx: EngineContext,
  tx: StoreTx,
  conversationId: string,
  payload: Uint8Array,
  after: After,
): Promise<void> {
  const s = parseStatus(payload);
  const m = await findMessage(tx, conversationId, s.id);
  if (m === undefined || !m.outgoing || m.state === 'failed') return;
  let next: DeliveryState;
  let reason: string | undefined;
  if (s.state === 'failed') {
    next = 'failed';
    reason = `not delivered to ${s.domain}: ${s.reason ?? 'unreachable'}`;
    m.reason = reason;
  } else {
    next = 'relayed';
    if (RANK[next] <= RANK[m.state]) return;
  }
  m.state = next;
  putMessage(tx, m);
  after.push(() =>
    ctx.events.emit({
      type: 'message_state',
      conversationId,
      messageId: s.id,
      state: next,
      ...(reason === undefined ? {} : { reason }),
    }),
  );
}
