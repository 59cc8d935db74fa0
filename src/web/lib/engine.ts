/**
 * The door from the web app into the shared client engine: engine imports go through here
 * (and lib/storageContract.ts for the light Storage interface), so a change in the engine's
 * layout touches these files only. Only lazily loaded modules may import this one: it pulls
 * the engine (MLS, Argon2id) into their chunk.
 */
export {
  Engine,
  HttpTransport,
  type ConversationView,
  type DeliveryState,
  type DeviceView,
  type EngineEvent,
  type EngineOptions,
  type GovernanceView,
  type MemberView,
  type MessageView,
  type SafetyView,
  type SystemLine,
  type WhoAmI,
} from '../../shared/engine/index.ts';
export { MAX_PICTURE_BYTES } from '../../shared/engine/conversations/content.ts';
export { FoyerError, isErrorCode } from '../../shared/protocol/errors.ts';
