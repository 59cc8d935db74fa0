/**
 * The federation inbox's wire format, parsed once at the boundary. A batch carries the items
 * one instance queued for another, in queue order; each names its recipients by device id at
 * the receiving instance.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';
import { fromBase64Url, toBase64Url } from '../../shared/protocol/bytes.ts';
import type { ItemKind } from '../mailbox/mailbox.ts';

export const INBOX_PATH = '/federation/v1/inbox';
/** Most items in one batch. */
export const MAX_BATCH_ITEMS = 256;
/** Most bytes of one inbox request (a batch of items up to the submission limit). */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
const MAX_DEVICES = 64;
/** Most member devices one instance can have in a group (the hub's leaves are bounded too). */
export const MAX_MEMBERS = 1024;
const DEVICE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const KINDS: readonly ItemKind[] = ['message', 'welcome', 'status'];

export interface InboxItem {
  kind: ItemKind;
  groupId: Uint8Array;
  msgId: string;
  body: Uint8Array;
  devices: string[];
  /**
   * The receiving instance's own member devices of the group after this item, as the hub
   * knows them (absent on status items): a follower delivers its devices' application
   * messages to these at once while it cannot reach the hub (docs/federation.md, Partitions).
   */
  members?: string[];
}

export function encodeBatch(items: readonly InboxItem[]): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      items: items.map((i) => ({
        kind: i.kind,
        groupId: toBase64Url(i.groupId),
        msgId: i.msgId,
        body: toBase64Url(i.body),
        devices: i.devices,
        ...(i.members === undefined ? {} : { members: i.members }),
      })),
    }),
  );
}

const bad = (message: string): FoyerError => new FoyerError('bad_request', message);

/** @throws FoyerError bad_request naming the first malformed field */
export function parseBatch(raw: Uint8Array): InboxItem[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw bad('the batch is not valid JSON');
  }
  const items = (doc as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH_ITEMS) {
    throw bad(`items must be a list of 1-${MAX_BATCH_ITEMS} items`);
  }
  return items.map((it: unknown, n) => {
    const o = (typeof it === 'object' && it !== null ? it : {}) as Record<string, unknown>;
    const groupId = typeof o.groupId === 'string' ? fromBase64Url(o.groupId) : undefined;
    const body = typeof o.body === 'string' ? fromBase64Url(o.body) : undefined;
    if (!KINDS.includes(o.kind as ItemKind)) throw bad(`items[${n}].kind is invalid`);
    if (groupId === undefined || groupId.length === 0 || groupId.length > 64) {
      throw bad(`items[${n}].groupId is invalid`);
    }
    if (typeof o.msgId !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(o.msgId)) {
      throw bad(`items[${n}].msgId is invalid`);
    }
    if (body === undefined || body.length === 0) throw bad(`items[${n}].body is invalid`);
    const devices = o.devices;
    if (
      !Array.isArray(devices) ||
      devices.length === 0 ||
      devices.length > MAX_DEVICES ||
      !devices.every((d) => typeof d === 'string' && DEVICE_ID_RE.test(d))
    ) {
      throw bad(`items[${n}].devices is invalid`);
    }
    const members = o.members;
    if (
      members !== undefined &&
      (!Array.isArray(members) ||
        members.length > MAX_MEMBERS ||
        !members.every((d) => typeof d === 'string' && DEVICE_ID_RE.test(d)))
    ) {
      throw bad(`items[${n}].members is invalid`);
    }
    return {
      kind: o.kind as ItemKind,
      groupId,
      msgId: o.msgId,
      body,
      devices: devices as string[],
      ...(members === undefined ? {} : { members: members as string[] }),
    };
  });
}
