/**
 * The client store's passphrase: FOYER_PASSPHRASE, or typed at the terminal without echo.
 * Never a flag: the process list is visible to every local user.
 */
import { FoyerError } from '../../shared/protocol/errors.ts';
import type { ClientIo } from './io.ts';

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let answer = '';
    const done = (fn: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      fn();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(answer));
        if (ch === '\u0003' || ch === '\u0004') {
          return done(() => reject(new FoyerError('usage', 'cancelled')));
        }
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
      return undefined;
    };
    stdin.on('data', onData);
  });
}

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
