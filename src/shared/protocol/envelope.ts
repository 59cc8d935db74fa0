/**
 * Message envelopes: the opaque units a carrier moves between a device and its server —
 * a submission (device → server), its receipt (server → device) and a mailbox item (server →
 * device). They are compact binary (protocol/binary.ts: fields in order, byte strings with a
 * 32-bit length) holding the MLS bytes raw rather than in base64, so that a narrow carrier
 * (SMS segments, a relay) can move the very bytes the HTTP API moves as JSON. A carrier never
 * looks inside; only the two ends decode, bounded like every other input.
 *
 *   envelope = u8 version (1) · u8 type · body
 *   submit  (1): groupId · id · message · u8 flags (1: welcome, 2: groupInfo) · [welcome] · [groupInfo]
 *   receipt (2): u64 epoch · u8 duplicate (0|1)
 *   item    (3): u64 seq · u8 kind (1 message, 2 welcome, 3 link, 4 status) · groupId · id · payload · u64 receivedAt
 */
import type { MailboxItem, SubmitRequest, SubmitResponse } from './api.ts';
import { Reader, Writer } from './binary.ts';
import { fromBase64Url, toBase64Url } from './bytes.ts';
import { FoyerError } from './errors.ts';

export const ENVELOPE_VERSION = 1;
/** Largest MLS message, Welcome or GroupInfo in an envelope (the server's own bound). */
export const MAX_ENVELOPE_FIELD = 512 * 1024;
/** Largest envelope as a whole (a submission with message, Welcome and GroupInfo). */
export const MAX_ENVELOPE = 3 * MAX_ENVELOPE_FIELD + 1024;
const MAX_GROUP_ID = 64;
const MAX_MESSAGE_ID = 64;

const TYPE = { submit: 1, receipt: 2, item: 3 } as const;
const KINDS = ['message', 'welcome', 'link', 'status'] as const;

/** A submission addressed to a group's hub. */
export interface Submission extends SubmitRequest {
  groupId: string;
}

function raw(b64: string, field: string): Uint8Array {
  const b = fromBase64Url(b64);
  if (b === undefined) throw new FoyerError('bad_request', `${field} is not base64url`);
  return b;
}

function open(bytes: Uint8Array, type: number, what: string): Reader {
  if (bytes.length > MAX_ENVELOPE) {
    throw new FoyerError('payload_too_large', `${what} envelope over ${MAX_ENVELOPE} bytes`);
  }
  const r = new Reader(bytes, `${what} envelope`);
  const version = r.u8();
  if (version !== ENVELOPE_VERSION) {
    throw new FoyerError('bad_request', `${what} envelope of unknown version ${version}`);
  }
  if (r.u8() !== type) throw new FoyerError('bad_request', `not a ${what} envelope`);
  return r;
}

function head(type: number): Writer {
  return new Writer().u8(ENVELOPE_VERSION).u8(type);
}

/** @throws FoyerError bad_request when a field is not base64url */
export function encodeSubmission(s: Submission): Uint8Array {
  const w = head(TYPE.submit)
    .bytes(raw(s.groupId, 'groupId'))
    .string(s.id)
    .bytes(raw(s.message, 'message'))
    .u8((s.welcome === undefined ? 0 : 1) | (s.groupInfo === undefined ? 0 : 2));
  if (s.welcome !== undefined) w.bytes(raw(s.welcome, 'welcome'));
  if (s.groupInfo !== undefined) w.bytes(raw(s.groupInfo, 'groupInfo'));
  return w.finish();
}

/** @throws FoyerError bad_request (malformed), payload_too_large */
export function decodeSubmission(bytes: Uint8Array): Submission {
  const r = open(bytes, TYPE.submit, 'submission');
  const groupId = toBase64Url(r.bytes(MAX_GROUP_ID));
  const id = r.string(MAX_MESSAGE_ID);
  const message = toBase64Url(r.bytes(MAX_ENVELOPE_FIELD));
  const flags = r.u8();
  if (flags > 3) throw new FoyerError('bad_request', 'submission envelope with unknown flags');
  const s: Submission = { groupId, id, message };
  if ((flags & 1) !== 0) s.welcome = toBase64Url(r.bytes(MAX_ENVELOPE_FIELD));
  if ((flags & 2) !== 0) s.groupInfo = toBase64Url(r.bytes(MAX_ENVELOPE_FIELD));
  r.end();
  return s;
}

export function encodeReceipt(res: SubmitResponse): Uint8Array {
  return head(TYPE.receipt)
    .u64(res.epoch)
    .u8(res.duplicate ? 1 : 0)
    .finish();
}

/** @throws FoyerError bad_request */
export function decodeReceipt(bytes: Uint8Array): SubmitResponse {
  const r = open(bytes, TYPE.receipt, 'receipt');
  const epoch = r.u64();
  const duplicate = r.u8();
  if (duplicate > 1) throw new FoyerError('bad_request', 'receipt envelope with a bad flag');
  r.end();
  return { epoch, duplicate: duplicate === 1 };
}

/** @throws FoyerError bad_request when a field is not base64url */
export function encodeItem(item: MailboxItem): Uint8Array {
  return head(TYPE.item)
    .u64(item.seq)
    .u8(KINDS.indexOf(item.kind) + 1)
    .bytes(raw(item.groupId, 'groupId'))
    .string(item.id)
    .bytes(raw(item.payload, 'payload'))
    .u64(item.receivedAt)
    .finish();
}

/** @throws FoyerError bad_request (malformed), payload_too_large */
export function decodeItem(bytes: Uint8Array): MailboxItem {
  const r = open(bytes, TYPE.item, 'mailbox item');
  const seq = r.u64();
  const kind = KINDS[r.u8() - 1];
  if (kind === undefined) throw new FoyerError('bad_request', 'mailbox item of unknown kind');
  const groupId = toBase64Url(r.bytes(MAX_GROUP_ID));
  const id = r.string(MAX_MESSAGE_ID);
  const payload = toBase64Url(r.bytes(MAX_ENVELOPE_FIELD));
  const receivedAt = r.u64();
  r.end();
  return { seq, kind, groupId, id, payload, receivedAt };
}
