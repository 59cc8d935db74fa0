/**
 * The questions of `foyer setup`, in the order asked. Each explains itself in one sentence,
 * has a flag, a default computed from the answers so far (or the existing configuration),
 * and validates with the configuration's own rules (config.ts `checkSetting`).
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
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
  /** Asked only when this holds for the answers so far (default: always). */
  when?: (answers: Answers) => boolean;
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

/** The modes in which Foyer itself serves HTTPS. */
const httpsModes = ['acme', 'files', 'local'];

/** This machine's first private IPv4 address on the home network, if any. */
function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (
        a.family === 'IPv4' &&
        !a.internal &&
        /^(10|192\.168|172\.(1[6-9]|2\d|3[01]))\./.test(a.address)
      )
        return a.address;
    }
  }
  return undefined;
}

/** The public URL people will type: https with any TLS mode, http with the port otherwise. */
function suggestUrl(answers: Answers): string {
  const domain = String(answers.domain ?? 'localhost');
  const port = Number(answers.port ?? DEFAULTS.port);
  const host = isIP(domain) === 6 ? `[${domain}]` : domain;
  if (answers.tls === 'proxy') return `https://${host}`;
  if (httpsModes.includes(String(answers.tls)))
    return `https://${host}${port === 443 ? '' : `:${port}`}`;
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
    key: 'tls',
    flag: 'tls',
    explain:
      'HTTPS, which browsers need for the web app away from localhost: "acme" gets free certificates by itself (port 80 must reach this machine), "local" makes Foyer its own certificate authority for a home reached on the home network only (each device installs it once), "files" uses yours, "proxy" if Caddy or nginx on this machine does HTTPS, "off" for plain HTTP.',
    suggest: (e) => str(e.tls, 'off'),
    check: setting('tls'),
    stored: true,
  },
  {
    key: 'port',
    flag: 'port',
    explain:
      'The TCP port to listen on: 443 for HTTPS without a proxy (the service unit grants the right), else 1024 or above.',
    suggest: (e, a) =>
      str(e.port, httpsModes.includes(String(a.tls)) ? '443' : String(DEFAULTS.port)),
    check: setting('port'),
    stored: true,
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
    key: 'tlsCert',
    flag: 'tls-cert',
    explain: 'The certificate chain file (PEM), e.g. /etc/letsencrypt/live/NAME/fullchain.pem.',
    suggest: (e) => str(e.tlsCert, '/etc/foyer/fullchain.pem'),
    check: setting('tlsCert'),
    stored: true,
    when: (a) => a.tls === 'files',
  },
  {
    key: 'tlsKey',
    flag: 'tls-key',
    explain: 'Its private key file (PEM), readable by the user Foyer runs as.',
    suggest: (e) => str(e.tlsKey, '/etc/foyer/privkey.pem'),
    check: setting('tlsKey'),
    stored: true,
    when: (a) => a.tls === 'files',
  },
  {
    key: 'tlsNames',
    flag: 'tls-names',
    explain:
      'Other names or addresses devices may use to reach Foyer, covered by its certificate (comma-separated), e.g. its address on the home network; "none" for none.',
    suggest: (e) => str(e.tlsNames, lanAddress() ?? 'none'),
    check: (text, cwd) =>
      text === 'none' ? { value: 'none' } : checkSetting('tlsNames', text, cwd),
    stored: true,
    when: (a) => a.tls === 'local',
  },
  {
    key: 'lanAnnounce',
    flag: 'lan-announce',
    explain:
      'Whether to announce the server on the home network as foyer.local (mDNS), so phones at home find it by name.',
    suggest: (e) => (e.lanAnnounce === true ? 'yes' : 'no'),
    check: yesNo,
    stored: true,
  },
  {
    key: 'portMapping',
    flag: 'port-mapping',
    explain:
      'Whether Foyer asks the home router (UPnP or NAT-PMP) to forward its public port to this machine while it runs, so phones reach it from outside the home; "no" if you forward ports by hand or only use it at home.',
    suggest: (e) =>
      e.portMapping === 'upnp' || e.portMapping === 'natpmp'
        ? e.portMapping
        : e.portMapping === 'auto'
          ? 'yes'
          : 'no',
    // yes/no, or the setting's own values (upnp, natpmp) to pick one protocol.
    check: (text, cwd) => {
      const answer = yesNo(text);
      if ('value' in answer) return { value: answer.value === true ? 'auto' : 'off' };
      const exact = checkSetting('portMapping', text, cwd);
      return 'value' in exact ? exact : { error: 'answer yes or no (or upnp, natpmp)' };
    },
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
