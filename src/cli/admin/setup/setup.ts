/**
 * `foyer setup`: a textual wizard that writes the data folder's foyer.json. Each question
 * explains itself, offers a default (the current value when the file exists, so a second run
 * edits it), and is checked as soon as it is answered; a wrong answer is asked again. Every
 * question also has a flag, and `--yes` takes the defaults for the rest without asking.
 * Answers are read line by line from standard input, a terminal or a script alike.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dataLayout } from '../../../server/storage/layout.ts';
import { keyMode } from '../../../server/storage/dataKey.ts';
import { DATA_PASSPHRASE_ENV } from '../../../server/config.ts';
import { UsageError } from '../args.ts';
import type { Io } from '../io.ts';
import { EXIT } from '../../errors.ts';
import { USAGE } from '../help.ts';
import { QUESTIONS, type Answers, type Question } from './questions.ts';
import { nextSteps } from './nextSteps.ts';

/** A source of typed lines (stdin in real use). Resolves undefined at end of input. */
export type LineSource = () => Promise<string | undefined>;

function stdinLines(): LineSource {
  const rl = createInterface({ input: process.stdin, terminal: false });
  const it = rl[Symbol.asyncIterator]();
  return async () => {
    const r = await it.next();
    if (r.done === true) {
      rl.close();
      return undefined;
    }
    return r.value;
  };
}

function readExisting(path: string): Answers {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Answers;
  } catch (err) {
    throw new UsageError(
      `${path} is not valid JSON (${(err as Error).message}): fix or move it, then run setup again`,
    );
  }
  throw new UsageError(`${path} must hold a JSON object: fix or move it, then run setup again`);
}

/** Writes the file atomically (a crash leaves the old or the new one, never half). */
function writeConfig(path: string, values: Answers): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

async function ask(
  q: Question,
  suggestion: string,
  io: Io,
  lines: LineSource,
  write: (text: string) => void,
): Promise<string | number | boolean> {
  io.out('');
  io.out(q.explain);
  for (;;) {
    write(`${q.key} [${suggestion}]: `);
    const line = await lines();
    if (line === undefined) {
      write('\n');
      throw new UsageError(`setup stopped: no answer to "${q.key}" (nothing was written)`);
    }
    const text = line.trim() === '' ? suggestion : line.trim();
    const checked = q.check(text, io.cwd);
    if ('value' in checked) return checked.value;
    io.out(`  not valid: ${checked.error}. Try again (or --${q.flag} on the command line).`);
  }
}

export async function setupCommand(
  io: Io,
  argv: readonly string[],
  lines: LineSource = stdinLines(),
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  const options = Object.fromEntries(QUESTIONS.map((q) => [q.flag, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        ...options,
        data: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  if (values.help === true) {
    io.out(USAGE.setup ?? '');
    return EXIT.ok;
  }
  const dataDir = resolve(
    io.cwd,
    (values.data as string | undefined) ?? io.env.FOYER_DATA ?? './data',
  );
  const layout = dataLayout(dataDir);
  const existing = readExisting(layout.configFile);
  const editing = existsSync(layout.configFile);
  const newFolder = !existsSync(layout.db);
  const currentMode = newFolder ? 'none' : keyMode(layout);
  if (currentMode !== 'none') existing.keyProtection = currentMode;
  io.out(
    editing
      ? `Editing the Foyer configuration ${layout.configFile} (Enter keeps the value in brackets).`
      : `Setting up Foyer in ${layout.dir} (Enter takes the suggestion in brackets).`,
  );

  const answers: Answers = {};
  const errors: string[] = [];
  for (const q of QUESTIONS) {
    if (q.when !== undefined && !q.when(answers)) continue;
    const given = values[q.flag];
    const suggestion = q.suggest(existing, answers);
    if (typeof given === 'string' || values.yes === true) {
      const checked = q.check(typeof given === 'string' ? given : suggestion, io.cwd);
      if ('value' in checked) answers[q.key] = checked.value;
      else errors.push(`--${q.flag}: ${checked.error}`);
      continue;
    }
    answers[q.key] = await ask(q, suggestion, io, lines, write);
  }
  if (errors.length > 0) throw new UsageError(`nothing was written:\n${errors.join('\n')}`);

  const out: Answers = { ...existing };
  delete out.keyProtection;
  for (const q of QUESTIONS) {
    if (!q.stored || !(q.key in answers)) continue;
    const v = answers[q.key];
    if ((q.key === 'backupDir' || q.key === 'tlsNames') && v === 'none') delete out[q.key];
    else out[q.key] = v;
  }
  mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  writeConfig(layout.configFile, out);
  io.out('');
  io.out(`Wrote ${layout.configFile}.`);
  for (const line of nextSteps({
    dataDir: layout.dir,
    newFolder,
    currentMode,
    wantedMode: answers.keyProtection as 'key-file' | 'passphrase',
    publicUrl: String(answers.publicUrl),
    host: String(answers.host),
    tls: String(answers.tls),
    passphraseEnv: DATA_PASSPHRASE_ENV,
    portMapping: answers.portMapping === undefined ? undefined : String(answers.portMapping),
  }))
    io.out(line);
  return EXIT.ok;
}
