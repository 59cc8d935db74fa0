/**
 * The door from the web app into the shared client engine: engine imports go through here
 * (and lib/storageContract.ts for the light Storage interface), so a change in the engine's
 * layout touches these files only. Only lazily loaded modules may import this one: it pulls
 * the engine (MLS, Argon2id) into their chunk.
 */
export { Engine, type EngineOptions } from '../../shared/engine/engine.ts';
export { HttpTransport } from '../../shared/engine/httpTransport.ts';
export type { EngineEvent } from '../../shared/engine/events.ts';
export type { ConversationView, DeliveryState, MessageView } from '../../shared/engine/model.ts';
export type { DeviceView } from '../../shared/engine/devices.ts';
export type { SafetyView, WhoAmI } from '../../shared/engine/engineApi.ts';
export { FoyerError, isErrorCode } from '../../shared/protocol/errors.ts';
