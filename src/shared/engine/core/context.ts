/** What every engine module works with: store, server, clock, events, keys, lock. */
import type { DeviceKeys, GroupContextDeps } from '../../mls/group.ts';
import type { Clock } from './clock.ts';
import type { EncryptedStore } from '../store/encryptedStore.ts';
import type { Emitter } from './events.ts';
import type { AccountRecord } from '../store/model.ts';
import type { Mutex } from './mutex.ts';
import type { Dispatcher } from '../sync/dispatcher.ts';
import type { Transport } from '../transport/transport.ts';
import type { EngineTrustStore } from '../identity/trust.ts';

export interface EngineTuning {
  /**
   * Outbox: a message still unsent this long after it was written ends as failed. Transient
   * failures alone never end a message before that (outboxSchedule.ts).
   */
  maxSendAgeMs: number;
  /** Outbox backoff: first delay and ceiling. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Commits: rebuild-and-retry rounds after `wrong_epoch`. */
  maxCommitAttempts: number;
  /** Key packages kept on the server, and the level that triggers a refill. */
  keyPackageTarget: number;
  keyPackageRefillBelow: number;
  /** Self-update policy (selfUpdate.ts). */
  selfUpdateAfterMessages: number;
  selfUpdateAfterMs: number;
  /** Push: polling period while the WebSocket is down, and reconnect backoff ceiling. */
  pollIntervalMs: number;
  reconnectMaxMs: number;
}

export const DEFAULT_TUNING: EngineTuning = {
  maxSendAgeMs: 7 * 24 * 3600_000,
  retryBaseMs: 1000,
  retryMaxMs: 5 * 60_000,
  maxCommitAttempts: 5,
  keyPackageTarget: 20,
  keyPackageRefillBelow: 10,
  selfUpdateAfterMessages: 100,
  selfUpdateAfterMs: 7 * 24 * 3600_000,
  pollIntervalMs: 15_000,
  reconnectMaxMs: 60_000,
};

/** Counters for diagnostics and tests (not persisted). */
export interface EngineStats {
  /** Commits refused with wrong_epoch, then rebuilt after catching up. */
  wrongEpochRetries: number;
  commitsAccepted: number;
}

export interface EngineContext {
  readonly store: EncryptedStore;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly events: Emitter;
  readonly account: AccountRecord;
  readonly trust: EngineTrustStore;
  readonly deps: GroupContextDeps;
  readonly me: DeviceKeys;
  readonly lock: Mutex;
  /** Where incoming, the outbox and the commit flow post follow-up work. */
  readonly dispatch: Dispatcher;
  readonly tuning: EngineTuning;
  readonly stats: EngineStats;
}
