/** Types of the group API (group.ts), apart so that its modules can share them. */
import type { ClientState } from 'ts-mls';
import type { DeviceCredential } from '../protocol/credential.ts';
import type { TrustStore } from './trust.ts';

/** What every group operation needs from its caller. */
export interface GroupContextDeps {
  trust: TrustStore;
}

/**
 * One device's view of one MLS group at one epoch. Immutable: every operation returns a new
 * Group and leaves the old one usable, so a commit refused by the hub costs nothing.
 * Opaque to callers: use the accessors in group.ts.
 */
export interface Group {
  readonly state: ClientState;
}

export interface Member {
  leaf: number;
  credential: DeviceCredential;
}

export interface CommitOutput {
  /** The state after the commit: adopt it only once the hub accepted `commit`. */
  group: Group;
  /** Encoded MLSMessage carrying the commit as a PublicMessage (the hub reads it). */
  commit: Uint8Array;
  /** Encoded MLSMessage GroupInfo of the new epoch, with external_pub and ratchet_tree. */
  groupInfo: Uint8Array;
  /** The epoch the commit was made in, i.e. the epoch BEFORE it. */
  epoch: number;
}

export type Processed =
  | {
      kind: 'application';
      group: Group;
      plaintext: Uint8Array;
      senderLeaf: number;
      sender: DeviceCredential;
      /** The epoch the message was sent in (may be a recent past epoch). */
      epoch: number;
    }
  | {
      kind: 'commit';
      group: Group;
      /** The new epoch. */
      epoch: number;
      /** This device was removed: the group can no longer send nor read new messages. */
      removedSelf: boolean;
      /** Devices added, in order; an external joiner is listed here too. */
      added: DeviceCredential[];
      removed: DeviceCredential[];
      /** Who made the commit (its leaf credential as the commit left it). */
      committer: DeviceCredential;
    };
