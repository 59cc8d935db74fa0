/**
 * Stored form of a Group: a format version byte, then ts-mls's encodeGroupState. The bytes
 * hold the device's private keys for the group: encrypt them before they touch a disk.
 * The version byte lets a future ts-mls (2.x changes its state format) migrate old states.
 */
import { decodeGroupState, encodeGroupState, type GroupState } from 'ts-mls';
import { concatBytes } from '../protocol/bytes.ts';
import { FoyerError } from '../protocol/errors.ts';
import { withConfig } from './config.ts';
import type { Group, GroupContextDeps } from './groupTypes.ts';
import { groupOf } from './groupView.ts';

/** Version 1: ts-mls 1.6.x encodeGroupState. */
export const GROUP_STATE_VERSION = 1;

/** Serialises a group state (versioned). Secret: encrypt before storing. */
export function encodeGroup(g: Group): Uint8Array {
  return concatBytes(Uint8Array.of(GROUP_STATE_VERSION), encodeGroupState(g.state));
}

/**
 * Restores a group state and re-attaches Foyer's client config (authentication service
 * included), which the stored form does not carry.
 * @throws FoyerError crypto_failed on an unknown version or malformed bytes
 */
export function decodeGroup(bytes: Uint8Array, deps: GroupContextDeps): Group {
  const version = bytes[0];
  if (version !== GROUP_STATE_VERSION) {
    throw new FoyerError('crypto_failed', `unsupported group state version ${String(version)}`, {
      version,
    });
  }
  let decoded: [GroupState, number] | undefined;
  try {
    decoded = decodeGroupState(bytes, 1);
  } catch (err) {
    throw new FoyerError('crypto_failed', `malformed group state: ${String(err)}`);
  }
  if (decoded === undefined || decoded[1] !== bytes.length - 1) {
    throw new FoyerError('crypto_failed', 'malformed group state');
  }
  return groupOf(withConfig(decoded[0], deps.trust));
}
