/**
 * Server configuration: embedded defaults, then a JSON file, then environment variables,
 * then command-line flags (each overrides the previous). Every value is parsed and checked
 * here, once; a bad one is a ConfigError naming the setting, where it came from and what is
 * expected. docs/configuration.md documents each setting.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { FoyerError } from '../shared/protocol/errors.ts';
import { isDomain } from '../shared/protocol/names.ts';

export interface Config {
  /** Folder holding the database, its key file and blobs. Default `./data`. */
  dataDir: string;
  /** Listen address. Default `127.0.0.1`. */
  host: string;
  /** Listen port. Default 8080 (0 = any free port, printed at start). */
  port: number;
  /** The instance's domain, as in `alice@DOMAIN`. Default `localhost`. */
  domain: string;
  /** Base URL people use to reach this server (invite links). Default `http://HOST:PORT`. */
  publicUrl: string;
  /** Most accounts this instance accepts. Default 25. */
  maxUsers: number;
  /** Undelivered mailbox items expire after this many days. Default 30. */
  mailboxTtlDays: number;
  /** Most items waiting in one device's mailbox. Default 10000. */
  mailboxQuota: number;
  /** Most MiB of messages waiting in one device's mailbox. Default 64. */
  mailboxQuotaMib: number;
  /** Most MiB of messages waiting for all the devices of one user. Default 256. */
  userQuotaMib: number;
  /** Most MiB the database may hold before new messages are refused. Default 2048. */
  storageBudgetMib: number;
  /** Seconds a client has to send a whole request (headers: at most 10). Default 30. */
  requestTimeoutSeconds: number;
  /** Most open connections from one client address. Default 128. */
  maxConnectionsPerAddress: number;
  /** Most unused key packages a device may keep uploaded. Default 100. */
  maxKeyPackages: number;
  /** Session token lifetime, hours. Default 720 (30 days). */
  sessionTtlHours: number;
  /** Requests per minute allowed per session and per client address. */
  rateLimitPerSession: number;
  rateLimitPerAddress: number;
  /** pino level. Default `info`. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Log user and device identifiers (off by default, for debugging only). */
  logIdentifiers: boolean;
  /** SQLite `synchronous`: `full` (default, acknowledged = on disk) or `normal`. */
  durability: 'full' | 'normal';
  /**
   * HTTPS: `off` (plain HTTP), `acme` (automatic certificates), `files` (the operator's),
   * `local` (Foyer's own certificate authority, for LAN-only households), `proxy` (a reverse
   * proxy in front).
   */
  tls: 'off' | 'acme' | 'files' | 'local' | 'proxy';
  /**
   * `local` mode: more names (host names or addresses, comma-separated) the server certificate
   * covers besides the public URL's host, e.g. `192.168.1.20`. Default none.
   */
  tlsNames?: string | undefined;
  /** `proxy` mode: the addresses of the reverse proxy, whose X-Forwarded-For is believed. */
  trustedProxies: string;
  /** `files` mode: PEM certificate chain and private key (reloaded when they change). */
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  /** `acme` mode: the authority's directory URL. Default Let's Encrypt. */
  acmeDirectory: string;
  /** The plain-HTTP port for ACME challenges and the redirect to HTTPS (0 = none). Default 80. */
  httpPort: number;
  /** Announce the server on the home network over mDNS (`NAME.local`). Default off. */
  lanAnnounce: boolean;
  /** The name announced: `foyer` → `foyer.local`. */
  lanName: string;
  /** Network interface to announce on (default: every suitable one). */
  lanInterface?: string | undefined;
  /**
   * Router port mapping: `off` (default), `auto` (UPnP IGD, then NAT-PMP), `upnp` or `natpmp`.
   * Maps the public port(s) to this server while it runs (src/server/home/portMapping/).
   */
  portMapping: 'off' | 'auto' | 'upnp' | 'natpmp';
  /** Lifetime asked of the router for each mapping, seconds; renewed at half. Default 3600. */
  portMappingLeaseSeconds: number;
  /** Folder for the daily backups; unset = no scheduled backup. */
  backupDir?: string | undefined;
  /** How many daily backups to keep. Default 7. */
  backupKeep: number;
  /** Folder of the built web app; unset = `dist/web` of this package. */
  webRoot?: string | undefined;
  /** Passphrase that wraps the data key instead of the key file (from FOYER_DATA_PASSPHRASE). */
  passphrase: string | undefined;
  /**
   * Federation: where to reach a peer instance instead of `https://DOMAIN` (tests, LAN setups),
   * as `domain=url,domain=url`. Default none.
   */
  federationPeers: Readonly<Record<string, string>>;
  /** Days an outbound federation item is retried before its sender sees it failed. Default 7. */
  federationQueueDays: number;
  /**
   * The queue's age in seconds instead of days, when set (tests, short-lived setups).
   * Default unset.
   */
  federationQueueSeconds?: number | undefined;
  /** Most items waiting in one peer's outbound queue. Default 100000. */
  federationQueueMax: number;
  /**
   * A PEM file of extra certificate authorities trusted, beside the system's, for HTTPS to
   * peer instances (tests, LAN setups with a private authority). Default none.
   */
  federationCa?: string | undefined;
  /**
   * FOYER_PASSPHRASE, the name the admin side used before it became the client's own: used
   * only to unlock a folder already in passphrase mode, with a warning (see passphrase.ts).
   */
  legacyPassphrase?: string | undefined;
  /** Whether `publicUrl` was set (file, env or flag) rather than derived from host and port. */
  publicUrlConfigured?: boolean;
  /** The configuration file that was read, if any. */
  configFile?: string | undefined;
}

/** A bad setting: the message names the setting, its source, and what is expected. */
export class ConfigError extends FoyerError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('usage', message, details);
    this.name = 'ConfigError';
  }
}

type Kind =
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'host' }
  | { type: 'domain' }
  | { type: 'url' }
  | { type: 'names' }
  | { type: 'addresses' }
  | { type: 'path' }
  | { type: 'peers' };

interface Setting {
  key: Exclude<
    keyof Config,
    'passphrase' | 'configFile' | 'legacyPassphrase' | 'publicUrlConfigured'
  >;
  env: string;
  flag: string;
  kind: Kind;
}

/** A setting whose env and flag names follow its key: maxUsers → FOYER_MAX_USERS, --max-users. */
function setting(key: Setting['key'], kind: Kind, names?: { env: string; flag: string }): Setting {
  const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const env = `FOYER_${kebab.replaceAll('-', '_').toUpperCase()}`;
  return { key, kind, env: names?.env ?? env, flag: names?.flag ?? kebab };
}

/** The data key's passphrase (server and admin commands). */
export const DATA_PASSPHRASE_ENV = 'FOYER_DATA_PASSPHRASE';
/** The client store's passphrase; the admin side's old name for its own. */
export const LEGACY_PASSPHRASE_ENV = 'FOYER_PASSPHRASE';

const int = (min: number, max: number): Kind => ({ type: 'int', min, max });
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every setting except the passphrase (env or prompt only) and the config file path. */
export const SETTINGS: readonly Setting[] = [
  setting('dataDir', { type: 'path' }, { env: 'FOYER_DATA', flag: 'data' }),
  setting('host', { type: 'host' }),
  setting('port', int(0, 65535)),
  setting('domain', { type: 'domain' }),
  setting('publicUrl', { type: 'url' }),
  setting('maxUsers', int(1, 10_000)),
  setting('mailboxTtlDays', int(1, 3650)),
  setting('mailboxQuota', int(10, 10_000_000)),
  setting('mailboxQuotaMib', int(1, 1_000_000)),
  setting('userQuotaMib', int(1, 1_000_000)),
  setting('storageBudgetMib', int(16, 10_000_000)),
  setting('requestTimeoutSeconds', int(1, 3600)),
  setting('maxConnectionsPerAddress', int(1, 100_000)),
  setting('maxKeyPackages', int(1, 10_000)),
  setting('sessionTtlHours', int(1, 87_600)),
  setting('rateLimitPerSession', int(1, 10_000_000)),
  setting('rateLimitPerAddress', int(1, 10_000_000)),
  setting('logLevel', { type: 'enum', values: LOG_LEVELS }),
  setting('logIdentifiers', { type: 'bool' }),
  setting('durability', { type: 'enum', values: ['full', 'normal'] }),
  setting('federationPeers', { type: 'peers' }),
  setting('federationQueueDays', int(1, 365)),
  setting('federationQueueSeconds', int(1, 31_536_000)),
  setting('federationQueueMax', int(100, 100_000_000)),
  setting('federationCa', { type: 'path' }),
  setting('tls', { type: 'enum', values: ['off', 'acme', 'files', 'local', 'proxy'] }),
  setting('tlsNames', { type: 'names' }),
  setting('trustedProxies', { type: 'addresses' }),
  setting('tlsCert', { type: 'path' }),
  setting('tlsKey', { type: 'path' }),
  setting('acmeDirectory', { type: 'url' }),
  setting('httpPort', int(0, 65535)),
  setting('lanAnnounce', { type: 'bool' }),
  setting('lanName', { type: 'host' }),
  setting('lanInterface', { type: 'host' }),
  setting('portMapping', { type: 'enum', values: ['off', 'auto', 'upnp', 'natpmp'] }),
  setting('portMappingLeaseSeconds', int(10, 86_400)),
  setting('backupDir', { type: 'path' }),
  setting('backupKeep', int(1, 365)),
  setting('webRoot', { type: 'path' }),
];

/** Defaults; `publicUrl` is derived from host and port when not set. */
export const DEFAULTS = {
  dataDir: './data',
  host: '127.0.0.1',
  port: 8080,
  domain: 'localhost',
  maxUsers: 25,
  mailboxTtlDays: 30,
  mailboxQuota: 10_000,
  mailboxQuotaMib: 64,
  userQuotaMib: 256,
  storageBudgetMib: 2048,
  requestTimeoutSeconds: 30,
  maxConnectionsPerAddress: 128,
  maxKeyPackages: 100,
  sessionTtlHours: 720,
  rateLimitPerSession: 6000,
  rateLimitPerAddress: 12_000,
  logLevel: 'info',
  logIdentifiers: false,
  durability: 'full',
  backupKeep: 7,
  lanAnnounce: false,
  lanName: 'foyer',
  portMapping: 'off',
  portMappingLeaseSeconds: 3600,
  tls: 'off',
  trustedProxies: '127.0.0.1,::1',
  acmeDirectory: 'https://acme-v02.api.letsencrypt.org/directory',
  httpPort: 80,
  federationPeers: {},
  federationQueueDays: 7,
  federationQueueMax: 100_000,
} as const satisfies Omit<
  Config,
  'publicUrl' | 'passphrase' | 'configFile' | 'legacyPassphrase' | 'publicUrlConfigured'
>;

/** The flags loadConfig accepts, for node:util parseArgs (the CLI merges its own). */
export const CONFIG_OPTIONS: ParseArgsOptionsConfig = {
  config: { type: 'string' },
  ...Object.fromEntries(
    SETTINGS.map((s) => [s.flag, { type: s.kind.type === 'bool' ? 'boolean' : 'string' }] as const),
  ),
};

const MAX_CONFIG_FILE_BYTES = 64 * 1024;
type Value = string | number | boolean | Readonly<Record<string, string>>;
type Raw = { value: unknown; source: string; base: string };

function expected(kind: Kind): string {
  switch (kind.type) {
    case 'int':
      return `an integer ${kind.min}-${kind.max}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${kind.values.join(', ')}`;
    case 'host':
      return 'an IP address or host name to listen on';
    case 'domain':
      return 'a lowercase domain name, optionally with :port (e.g. maison.example)';
    case 'url':
      return 'an http:// or https:// URL without query or fragment (e.g. https://maison.example)';
    case 'names':
      return 'host names or IP addresses separated by commas (e.g. foyer.local,192.168.1.20)';
    case 'addresses':
      return 'IP addresses separated by commas (e.g. 127.0.0.1,::1)';
    case 'path':
      return 'a folder path';
    case 'peers':
      return 'domain=url pairs separated by commas (e.g. chez-bob.example=http://127.0.0.2:8080)';
  }
}

/** Parses one raw value; returns undefined when it does not fit. */
function parseValue(kind: Kind, raw: Raw): Value | undefined {
  const v = raw.value;
  const text = typeof v === 'string' ? v.trim() : undefined;
  switch (kind.type) {
    case 'int': {
      const n =
        typeof v === 'number' ? v : text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(n) && n >= kind.min && n <= kind.max ? n : undefined;
    }
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (text === 'true' || text === '1' || text === 'yes') return true;
      if (text === 'false' || text === '0' || text === 'no') return false;
      return undefined;
    case 'enum':
      return text !== undefined && kind.values.includes(text) ? text : undefined;
    case 'host':
      return text !== undefined &&
        (isIP(text) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/.test(text))
        ? text
        : undefined;
    case 'domain':
      return isDomain(text) ? text : undefined;
    case 'url': {
      if (text === undefined || !URL.canParse(text)) return undefined;
      const url = new URL(text);
      if (
        (url.protocol !== 'http:' && url.protocol !== 'https:') ||
        url.search !== '' ||
        url.hash !== ''
      ) {
        return undefined;
      }
      if (url.username !== '' || url.password !== '') return undefined;
      return url.href.replace(/\/+$/, '');
    }
    case 'names':
    case 'addresses': {
      if (text === undefined) return undefined;
      const items = text
        .split(',')
        .map((x) => x.trim().toLowerCase())
        .filter((x) => x !== '');
      const ok = items.every((x) =>
        kind.type === 'addresses' ? isIP(x) !== 0 : isIP(x) !== 0 || isHostName(x),
      );
      return ok && items.length > 0 && items.length <= 32
        ? [...new Set(items)].join(',')
        : undefined;
    }
    case 'path':
      return text !== undefined && text !== '' && !text.includes('\0')
        ? resolve(raw.base, text)
        : undefined;
    case 'peers':
      return parsePeers(v);
  }
}

/** `domain=url,…` (or a JSON object of domain → url) into a map; undefined when malformed. */
function parsePeers(v: unknown): Record<string, string> | undefined {
  let pairs: Array<[string, unknown]>;
  if (typeof v === 'string') {
    const text = v.trim();
    if (text === '') return {};
    pairs = text.split(',').map((p) => {
      const at = p.indexOf('=');
      return at < 0 ? ['', ''] : [p.slice(0, at).trim(), p.slice(at + 1).trim()];
    });
  } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    pairs = Object.entries(v);
  } else return undefined;
  const out: Record<string, string> = {};
  for (const [domain, url] of pairs) {
    if (!isDomain(domain) || typeof url !== 'string' || !URL.canParse(url)) return undefined;
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    out[domain] = u.origin;
  }
  return out;
}

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens. */
function isHostName(text: string): boolean {
  return (
    text.length <= 253 &&
    text.split('.').every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l))
  );
}

/** A comma-separated list setting (`tlsNames`, `trustedProxies`) as an array. */
export function listSetting(value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : value.split(',');
}

function show(value: unknown): string {
  return JSON.stringify(
    typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}…` : value,
  );
}

/** `http://HOST:PORT`, with a usable host when listening on every interface. */
export function defaultPublicUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${isIP(h) === 6 ? `[${h}]` : h}:${port}`;
}

function readConfigFile(path: string, source: string): Record<string, unknown> {
  let text: string;
  try {
    if (statSync(path).size > MAX_CONFIG_FILE_BYTES) {
      throw new ConfigError(`configuration file ${path} (from ${source}) is larger than 64 KiB`);
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(
      `cannot read configuration file ${path} (from ${source}): ${(err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      `configuration file ${path} is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`configuration file ${path} must hold a JSON object of settings`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Refuses `--passphrase` with a message saying where the passphrase goes instead.
 * @throws ConfigError
 */
export function rejectPassphraseFlag(argv: readonly string[]): void {
  if (argv.some((a) => a === '--passphrase' || a.startsWith('--passphrase='))) {
    throw new ConfigError(
      'the passphrase cannot be given as a flag (other users could read it in the process list): ' +
        'set FOYER_DATA_PASSPHRASE, or type it when asked',
    );
  }
}

function parseFlags(argv: readonly string[]): Record<string, string | boolean | undefined> {
  rejectPassphraseFlag(argv);
  try {
    return parseArgs({
      args: [...argv],
      options: CONFIG_OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new ConfigError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

export interface LoadConfigInput {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/**
 * Builds the configuration from defaults, file, environment and flags.
 * @throws ConfigError listing every bad value, unknown file key or unknown flag.
 */
export function loadConfig({ argv, env, cwd }: LoadConfigInput): Config {
  const flags = parseFlags(argv);
  const errors: string[] = [];
  const raws = new Map<string, Raw[]>();
  const add = (key: string, raw: Raw) => raws.set(key, [...(raws.get(key) ?? []), raw]);

  const explicitFile =
    typeof flags.config === 'string'
      ? { path: resolve(cwd, flags.config), source: '--config' }
      : env.FOYER_CONFIG !== undefined && env.FOYER_CONFIG !== ''
        ? { path: resolve(cwd, env.FOYER_CONFIG), source: 'FOYER_CONFIG' }
        : undefined;
  let file: { path: string; values: Record<string, unknown> } | undefined;
  if (explicitFile !== undefined) {
    file = {
      path: explicitFile.path,
      values: readConfigFile(explicitFile.path, explicitFile.source),
    };
  }
  // Without an explicit file, the data folder's own foyer.json is read; it cannot move the folder.
  if (file === undefined) {
    const dir = resolve(
      cwd,
      (flags.data as string | undefined) ?? env.FOYER_DATA ?? DEFAULTS.dataDir,
    );
    const path = resolve(dir, 'foyer.json');
    if (existsSync(path)) {
      const values = readConfigFile(path, 'the data folder');
      if ('dataDir' in values) {
        errors.push(
          `dataDir cannot be set in ${path} (the file already sits in the data folder): use --data, FOYER_DATA or --config`,
        );
        delete values.dataDir;
      }
      file = { path, values };
    }
  }
  if (file !== undefined) {
    for (const [key, value] of Object.entries(file.values)) {
      if (key === 'passphrase') {
        errors.push(
          `passphrase cannot be set in ${file.path}: set FOYER_DATA_PASSPHRASE, or type it when asked`,
        );
      } else if (!SETTINGS.some((s) => s.key === key)) {
        errors.push(
          `unknown setting "${key}" in ${file.path} (known: ${SETTINGS.map((s) => s.key).join(', ')})`,
        );
      } else {
        add(key, { value, source: file.path, base: dirname(file.path) });
      }
    }
  }
  for (const s of SETTINGS) {
    const fromEnv = env[s.env];
    if (fromEnv !== undefined) add(s.key, { value: fromEnv, source: s.env, base: cwd });
    const fromFlag = flags[s.flag];
    if (fromFlag !== undefined) add(s.key, { value: fromFlag, source: `--${s.flag}`, base: cwd });
  }

  const values: Record<string, Value> = { ...DEFAULTS, dataDir: resolve(cwd, DEFAULTS.dataDir) };
  for (const s of SETTINGS) {
    for (const raw of raws.get(s.key) ?? []) {
      const parsed = parseValue(s.kind, raw);
      if (parsed === undefined) {
        errors.push(
          `${s.key} (from ${raw.source}) must be ${expected(s.kind)}, got ${show(raw.value)}`,
        );
      } else {
        values[s.key] = parsed; // later sources come later in the list and win
      }
    }
  }
  // The data key's passphrase has its own name: FOYER_PASSPHRASE belongs to the client.
  const passphrase = env[DATA_PASSPHRASE_ENV];
  if (passphrase === '')
    errors.push(
      `passphrase (from ${DATA_PASSPHRASE_ENV}) must not be empty; unset it to use the key file`,
    );
  const legacy = env[LEGACY_PASSPHRASE_ENV];
  if (errors.length > 0) throw new ConfigError(errors.join('\n'), { errors });

  const config = values as unknown as Omit<Config, 'publicUrl' | 'passphrase'> & {
    publicUrl?: string;
  };
  return {
    ...config,
    publicUrl: config.publicUrl ?? defaultPublicUrl(config.host, config.port),
    publicUrlConfigured: config.publicUrl !== undefined,
    passphrase,
    legacyPassphrase: legacy === '' ? undefined : legacy,
    configFile: file?.path,
  };
}

/**
 * Checks one setting's value as a person typed it (the setup wizard validates each answer
 * with the very rules loadConfig applies). `base` resolves relative paths.
 * @returns the parsed value, or an error message saying what is expected.
 */
export function checkSetting(
  key: string,
  text: string,
  base: string,
): { value: string | number | boolean } | { error: string } {
  const s = SETTINGS.find((x) => x.key === key);
  if (s === undefined) return { error: `unknown setting "${key}"` };
  const value = parseValue(s.kind, { value: text, source: 'answer', base });
  if (value === undefined) return { error: `expected ${expected(s.kind)}` };
  // A list of peers is not a one-answer setting: the setup wizard does not ask for it.
  if (typeof value === 'object') return { error: `${key} is set in the configuration file` };
  return { value };
}
