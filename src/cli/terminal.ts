/**
 * Reading a secret at the terminal, shared by the admin commands and the client: raw mode,
 * no echo, backspace honoured, Ctrl-C / Ctrl-D cancel. Secrets never come from flags (the
 * process list is visible to every local user).
 */
import { FoyerError } from '../shared/protocol/errors.ts';

/**
 * Reads one line from the terminal without echoing it.
 * @throws FoyerError usage when stdin is not a terminal, or when the person cancels
 */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return Promise.reject(
      new FoyerError(
        'usage',
        'a passphrase is needed and there is no terminal to ask on: set FOYER_DATA_PASSPHRASE ' +
          "(the server's data key) or FOYER_PASSPHRASE (the client store)",
      ),
    );
  }
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let answer = '';
    const done = (fn: () => void): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      fn();
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(answer));
        if (ch === '\u0003' || ch === '\u0004') {
          return done(() => reject(new FoyerError('usage', 'cancelled')));
        }
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}
