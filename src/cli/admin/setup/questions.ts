/**
 * The questions of `foyer setup`, in the order asked. Each explains itself in one sentence,
 * has a flag, a default computed from the answers so far (or the existing configuration),
 * and validates with the configuration's own rules (config.ts `checkSetting`).
 */
import { isIP } from 'node:net';
import { checkSetting, DEFAULTS } from '../../../server/config.ts';

export type Answers = Record<string, string | number | boolean | undefined>;

export interface Question {
  /** Configuration key written to foyer.json, or a wizard-only choice. */
  key: string;
  /** The flag that answers it without asking (`--yes` runs). */
  flag: string;
  /** One sentence: what it is and why it matters. */
  explain: string;
  /** Suggested answer from the existing configuration and the answers so far. */
  suggest(existing: Answers, answers: Answers): string;
  /** Parses an answer. @returns the value, or the error to show before asking again. */
  check(text: string, cwd: string): { value: string | number | boolean } | { error: string };
  /** Written to foyer.json (false: only guides the next steps). */
  stored: boolean;
}

const setting =
  (key: string) =>
  (text: string, cwd: string): ReturnType<Question['check']> =>
    checkSetting(key, text, cwd);

function choice(values: readonly string[]) {
  return (text: string): ReturnType<Question['check']> =>
    values.includes(text) ? { value: text } : { error: `answer one of: ${values.join(', ')}` };
}

function yesNo(text: string): ReturnType<Question['check']> {
  if (/^(y|yes|true|on)$/i.test(text)) return { value: true };
  if (/^(n|no|false|off)$/i.test(text)) return { value: false };
  return { error: 'answer yes or no' };
}

const str = (v: Answers[string], fallback: string): string =>
  v === undefined || v === '' ? fallback : String(v);

/** The public URL people will type: https on a real name, http with the port on a LAN test. */
function suggestUrl(answers: Answers): string {
  const domain = String(answers.domain ?? 'localhost');
  const port = Number(answers.port ?? DEFAULTS.port);
  if (answers.behindProxy === true) return `https://${domain}`;
  const host = isIP(domain) === 6 ? `[${domain}]` : domain;
  return `http://${host}${port === 80 ? '' : `:${port}`}`;
}

export const QUESTIONS: readonly Question[] = [
  {
    key: 'domain',
    flag: 'domain',
    explain:
      'The name of this Foyer: the part after "@" in every address (alice@NAME) and, usually, the host name phones reach it by. It cannot change once people have joined.',
    suggest: (e) => str(e.domain, 'foyer.local'),
    check: setting('domain'),
    stored: true,
  },
  {
    key: 'host',
    flag: 'host',
    explain:
      'The address to listen on: 0.0.0.0 accepts phones and computers of the home network, 127.0.0.1 only this machine (e.g. behind a reverse proxy here).',
    suggest: (e) => str(e.host, '0.0.0.0'),
    check: setting('host'),
    stored: true,
  },
  {
    key: 'port',
    flag: 'port',
    explain: 'The TCP port to listen on (1024 or above needs no special rights).',
    suggest: (e) => str(e.port, String(DEFAULTS.port)),
    check: setting('port'),
    stored: true,
  },
  {
    key: 'behindProxy',
    flag: 'behind-proxy',
    explain:
      'Whether a reverse proxy (Caddy, nginx) on this machine serves HTTPS in front of Foyer; browsers need HTTPS for a web app on any other address than localhost.',
    suggest: (e) => (str(e.publicUrl, '').startsWith('https://') ? 'yes' : 'no'),
    check: yesNo,
    stored: false,
  },
  {
    key: 'publicUrl',
    flag: 'public-url',
    explain:
      'The address people open to reach Foyer; every invite link starts with it, so it must work from their phones.',
    suggest: (e, a) => str(e.publicUrl, suggestUrl(a)),
    check: setting('publicUrl'),
    stored: true,
  },
  {
    key: 'keyProtection',
    flag: 'key-protection',
    explain:
      'How the key of the encrypted database is kept: "key-file" starts unattended (keep a copy of the file elsewhere), "passphrase" asks for it at each start.',
    suggest: (e) => str(e.keyProtection, 'key-file'),
    check: choice(['key-file', 'passphrase']),
    stored: false,
  },
  {
    key: 'maxUsers',
    flag: 'max-users',
    explain: 'The most accounts this Foyer accepts: a household is a few people.',
    suggest: (e) => str(e.maxUsers, String(DEFAULTS.maxUsers)),
    check: setting('maxUsers'),
    stored: true,
  },
  {
    key: 'backupDir',
    flag: 'backup-dir',
    explain:
      'A folder for the daily encrypted backup, ideally on another disk or a USB stick; "none" for no scheduled backup.',
    suggest: (e) => str(e.backupDir, 'none'),
    check: (text, cwd) =>
      text === 'none' ? { value: 'none' } : checkSetting('backupDir', text, cwd),
    stored: true,
  },
  {
    key: 'backupKeep',
    flag: 'backup-keep',
    explain: 'How many daily backups to keep; older ones are deleted.',
    suggest: (e) => str(e.backupKeep, String(DEFAULTS.backupKeep)),
    check: setting('backupKeep'),
    stored: true,
  },
];
