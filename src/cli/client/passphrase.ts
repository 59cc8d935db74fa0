/**
 * The client store's passphrase: FOYER_PASSPHRASE, or typed at the terminal without echo.
 * Never a flag: the process list is visible to every local user.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { ClientIo } from './io.ts';
import { promptHidden } from '../terminal.ts';

/** The passphrase of an existing store. @throws FoyerError usage without env or terminal */
export async function existingPassphrase(io: ClientIo): Promise<string> {
  const env = io.env.FOYER_PASSPHRASE;
  if (env !== undefined) return env;
  if (!io.interactive) {
    throw new FoyerError(
      'usage',
      'a passphrase is needed: set FOYER_PASSPHRASE (no terminal to ask on)',
    );
  }
  return promptHidden('Passphrase for the Foyer client store: ');
}

/** A passphrase for a new store: FOYER_PASSPHRASE, or typed twice. */
export async function newPassphrase(io: ClientIo): Promise<string> {
  const env = io.env.FOYER_PASSPHRASE;
  if (env !== undefined) return env;
  if (!io.interactive) {
    throw new FoyerError(
      'usage',
      'a passphrase is needed: set FOYER_PASSPHRASE (no terminal to ask on)',
    );
  }
  const first = await promptHidden('New passphrase for the Foyer client store: ');
  if (first.length < 8) throw new FoyerError('usage', 'use a passphrase of at least 8 characters');
  const second = await promptHidden('Repeat it: ');
  if (first !== second) throw new FoyerError('usage', 'the two passphrases differ');
  return first;
}
