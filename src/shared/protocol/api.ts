/**
 * The client API (`/api/v1`) as JSON types. Byte strings travel as unpadded base64url
 * (`B64`). docs/protocol.md describes each route; the server parses every body against
 * these shapes at the boundary (src/server/http/parse.ts).
 */

import type { KeyRotationJson } from './keyRotation.ts';

/** Unpadded base64url. */
export type B64 = string;

export const PROTOCOL_VERSION = 1;

/**
 * Largest MLS application message a hub accepts, in bytes. It fits the largest content the
 * engine sends (16,000 characters, every one escaped in JSON, about 96 KB) with MLS framing;
 * files are meant to travel out of band as attachments. Commits and Welcomes may be larger.
 */
export const MAX_APPLICATION_MESSAGE = 128 * 1024;

/** GET /.well-known/foyer */
export interface WellKnown {
  domain: string;
  protocol: number;
  /** The instance's Ed25519 public key. */
  instanceKey: B64;
  software: string;
  /** Server-to-server endpoints (docs/federation.md), as paths; clients do not need them. */
  endpoints?: { inbox: string };
  /**
   * Every rotation of the instance key, oldest first, each signed by the key it replaced
   * (protocol/keyRotation.ts); absent or empty when the key was never rotated.
   */
  rotations?: KeyRotationJson[];
}

/** A new device as registration and linking send it. */
export interface DeviceRegistration {
  id: string;
  /** Ed25519 device key (the MLS leaf signature key). */
  signatureKey: B64;
  identityKey: B64;
  /** Identity key's signature over the binding (protocol/credential.ts). */
  identitySignature: B64;
}

/** POST /api/v1/accounts: redeem an invite. */
export interface RegisterRequest {
  invite: string;
  name: string;
  device: DeviceRegistration;
}

export interface RegisterResponse {
  user: { name: string; domain: string; admin: boolean };
  /** The device credential, signed by the instance (protocol/credential.ts encoding). */
  credential: B64;
  instanceKey: B64;
}

/** POST /api/v1/sessions/challenge */
export interface ChallengeRequest {
  deviceId: string;
}
export interface ChallengeResponse {
  challenge: B64;
  expiresAt: number;
}

/** POST /api/v1/sessions: the device signs `foyer/v1 session\0` ‖ challenge. */
export interface SessionRequest {
  deviceId: string;
  challenge: B64;
  signature: B64;
}
export interface SessionResponse {
  token: string;
  expiresAt: number;
}

/** GET /api/v1/devices, and devices in a user lookup. */
export interface DeviceInfo {
  id: string;
  credential: B64;
  createdAt: number;
  lastSeenAt: number | null;
  revoked: boolean;
}

/** GET /api/v1/users/:name */
export interface UserInfo {
  name: string;
  domain: string;
  identityKey: B64;
  devices: Array<Pick<DeviceInfo, 'id' | 'credential'>>;
}

/**
 * GET /api/v1/instances/:domain — an instance's key as the device's own server pinned it, and
 * the rotations that lead to it (for this instance: all of them; for another: those the server
 * followed from the key it pinned first), oldest first.
 */
export interface InstanceInfo {
  domain: string;
  instanceKey: B64;
  rotations?: KeyRotationJson[];
}

/** POST /api/v1/devices: an existing device adds a new device of the same user. */
export type AddDeviceRequest = DeviceRegistration;
export interface AddDeviceResponse {
  credential: B64;
}

/** POST /api/v1/keypackages */
export interface UploadKeyPackagesRequest {
  keyPackages: B64[];
  /** Kept when the others run out; replaced by a newer one, never consumed. */
  lastResort?: B64;
}
export interface KeyPackageCount {
  available: number;
  lastResort: boolean;
}

/** POST /api/v1/users/:name/keypackages: claims one package per live device. */
export interface ClaimedKeyPackages {
  keyPackages: Array<{ deviceId: string; keyPackage: B64 }>;
}

/** POST /api/v1/groups: the caller becomes the hub's first member (leaf 0, epoch 0). */
export interface CreateGroupRequest {
  groupId: B64;
  /** GroupInfo for epoch 0 (optional). */
  groupInfo?: B64;
}
export interface GroupStatus {
  groupId: B64;
  epoch: number;
  members: Array<{ leaf: number; deviceId: string; user: string; domain: string }>;
}

/**
 * POST /api/v1/groups/:groupId/messages — one MLS message for the hub.
 * - An application message (PrivateMessage) is fanned out to every member device but
 *   the sender.
 * - A commit (PublicMessage) must be for the hub's current epoch; the first valid one
 *   wins, a late one gets `wrong_epoch` with `details.epoch`. `welcome` goes to the
 *   devices the commit adds, `groupInfo` is kept for external joins.
 * `id` (client message id, 16 to 64 characters of base64url) makes retries idempotent.
 */
export interface SubmitRequest {
  id: string;
  message: B64;
  welcome?: B64;
  groupInfo?: B64;
}
export interface SubmitResponse {
  /** The hub's epoch after this message. */
  epoch: number;
  /** True when this id had already been accepted: nothing was delivered again. */
  duplicate: boolean;
}

/**
 * The payload of a `status` mailbox item (JSON, UTF-8): what became of a message this device
 * sent, at another instance. The group's hub writes it: `relayed` once that instance's inbox
 * accepted the message, `failed` once its outbound queue gave the message up (`reason`).
 */
export interface DeliveryStatus {
  v: 1;
  /** The message's client id. */
  id: string;
  state: 'relayed' | 'failed';
  /** The instance concerned. */
  domain: string;
  reason?: string;
}

/** An item in a device's mailbox. */
export interface MailboxItem {
  seq: number;
  kind: 'message' | 'welcome' | 'link' | 'status';
  groupId: B64;
  /** An encoded MLSMessage (message or Welcome). */
  payload: B64;
  /** The sender's client message id, for idempotent processing. */
  id: string;
  receivedAt: number;
}

/** GET /api/v1/mailbox?after=SEQ&limit=N */
export interface MailboxPage {
  items: MailboxItem[];
  /** Highest seq in this page, or `after` when empty. */
  cursor: number;
  more: boolean;
}

/** POST /api/v1/mailbox/ack: deletes every item with seq ≤ upTo. */
export interface AckRequest {
  upTo: number;
}

/** WebSocket frames, client → server (JSON text frames). */
export type ClientFrame =
  | { op: 'auth'; token: string; after?: number }
  | { op: 'ack'; upTo: number }
  | ({ op: 'submit'; ref: number; groupId: B64 } & SubmitRequest)
  | { op: 'ping' };

/** WebSocket frames, server → client. */
export type ServerFrame =
  | { op: 'ready'; deviceId: string }
  | { op: 'items'; items: MailboxItem[] }
  | ({ op: 'submitted'; ref: number } & SubmitResponse)
  | { op: 'error'; ref?: number; code: string; message: string; details?: Record<string, unknown> }
  | { op: 'pong' }
  /** The device's stock of one-time key packages is low: upload more. */
  | { op: 'keypackages'; available: number };

/** Label the device signs with its challenge to open a session. */
export const SESSION_LABEL = 'foyer/v1 session\0';

/**
 * Device linking rendezvous (`/api/v1/links/:rid`). The new device and the approving
 * device share a code out of band; `rid` and the channel key both derive from it, so the
 * server stores only sealed payloads it cannot open, for at most 10 minutes.
 */
export interface LinkPayload {
  /** AES-GCM sealed bytes (engine/link.ts). */
  sealed: B64;
}
