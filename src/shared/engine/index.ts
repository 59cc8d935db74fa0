/**
 * The client engine's public entry, for the shells (the CLI, the web app): the engine, what
 * it reports, the views it hands out, and the interfaces a shell implements (storage,
 * transport, clock, push socket). Everything else under engine/ is internal and may move.
 *
 * Rooms: core/ (context, clock, events, lock, ids) · store/ (encrypted store, records) ·
 * transport/ (HTTP, push socket) · identity/ (account, trust, safety numbers) · devices/
 * (linking, key packages) · conversations/ (membership, messaging, content) · outbox/ ·
 * sync/ (incoming, held items, commit flow, jobs, the dispatcher, background loop).
 */
export { Engine, type EngineOptions, type RegisterInput } from './engine.ts';
export type {
  GovernRequest,
  SafetyView,
  SyncFailure,
  SyncResult,
  WhoAmI,
  ReconcileResult,
} from './engineApi.ts';
export type { GovernanceView, MemberView } from './conversations/governance.ts';
export type { ProfileInput } from './conversations/profile.ts';
export type { EngineEvent, EngineEventType, Listener } from './core/events.ts';
export { systemClock, type Clock } from './core/clock.ts';
export { DEFAULT_TUNING, type EngineTuning } from './core/context.ts';
export type {
  ConversationKind,
  ConversationView,
  DeliveryState,
  MessageView,
  SystemLine,
} from './store/model.ts';
export type { DeviceView } from './devices/devices.ts';
export type { FlushResult } from './outbox/outbox.ts';
export {
  assertStorageKey,
  MemoryStorage,
  STORAGE_KEY_RE,
  type Storage,
  type StorageWrite,
} from './store/storage.ts';
export { STORE_FORMAT_VERSION } from './store/encryptedStore.ts';
export type { DeviceSigner, Transport } from './transport/transport.ts';
export {
  HttpTransport,
  normaliseServerUrl,
  type HttpTransportOptions,
} from './transport/httpTransport.ts';
export type { SocketFactory, SocketLike } from './transport/push.ts';
export { LINK_TIMEOUT_MS } from './devices/link.ts';
