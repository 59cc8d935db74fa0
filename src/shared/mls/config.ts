/**
 * The ts-mls client configuration Foyer uses for every group state. It is derived from the
 * trust store each time an operation runs, so a state decoded from storage (which carries no
 * configuration) or built elsewhere always runs with Foyer's authentication service.
 */
import {
  defaultKeyPackageEqualityConfig,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  type ClientConfig,
  type ClientState,
  type GroupState,
  type KeyRetentionConfig,
} from 'ts-mls';
import { foyerAuthService, type TrustStore } from './trust.ts';

/**
 * Keys kept for past epochs and skipped generations, so application messages that arrive
 * after a commit (sent before it was seen) still decrypt. Each retained epoch adds its secret
 * tree and ratchet tree to the stored state.
 */
export const KEY_RETENTION: KeyRetentionConfig = {
  retainKeysForEpochs: 4,
  retainKeysForGenerations: 10,
  maximumForwardRatchetSteps: 200,
};

const configs = new WeakMap<TrustStore, ClientConfig>();

/** The client config for `trust` (one object per trust store). */
export function clientConfigFor(trust: TrustStore): ClientConfig {
  let config = configs.get(trust);
  if (config === undefined) {
    config = {
      keyRetentionConfig: KEY_RETENTION,
      // Lifetimes are checked by the committer when adding a key package (ts-mls always does
      // that for its own commits); receivers do not re-check, so an old never-updated leaf
      // in a welcome's tree does not lock joiners out.
      lifetimeConfig: defaultLifetimeConfig,
      keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
      // Pads application messages to 256 bytes so short messages do not reveal their length.
      paddingConfig: defaultPaddingConfig,
      authService: foyerAuthService(trust),
    };
    configs.set(trust, config);
  }
  return config;
}

/** `state` with Foyer's config for `trust` attached (a new object; `state` is unchanged). */
export function withConfig(state: GroupState, trust: TrustStore): ClientState {
  return { ...state, clientConfig: clientConfigFor(trust) };
}
