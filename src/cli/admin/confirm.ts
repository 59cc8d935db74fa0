/** Asking the operator to confirm a destructive admin command on the terminal. */
import { createInterface } from 'node:readline/promises';
import { UsageError } from './args.ts';

/**
 * Asks `question` on the terminal (stderr, so stdout stays clean for --json) and reads one
 * line: true for "y" or "yes". Ctrl-C or end of input count as no.
 * @throws UsageError when standard input is not a terminal
 */
export async function askOnTerminal(question: string): Promise<boolean> {
  if (process.stdin.isTTY !== true) {
    throw new UsageError('confirmation needed, but standard input is not a terminal');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const cancel = new AbortController();
  rl.once('SIGINT', () => cancel.abort());
  rl.once('close', () => cancel.abort());
  try {
    const answer = await rl.question(question, { signal: cancel.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch (err) {
    if (cancel.signal.aborted) return false;
    throw err;
  } finally {
    rl.close();
  }
}
