/**
 * The engine's Storage contract, without the engine: the first screen needs it (to tell
 * whether an account exists) and must stay small.
 */
export {
  assertStorageKey,
  type Storage,
  type StorageWrite,
} from '../../shared/engine/store/storage.ts';
