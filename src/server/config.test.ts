import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULTS, loadConfig, SETTINGS, type LoadConfigInput } from './config.ts';

function workdir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function load(input: Partial<LoadConfigInput> & { cwd: string }) {
  return loadConfig({ argv: [], env: {}, ...input });
}

function assertConfigError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'usage');
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

test('defaults: ./data under cwd, 127.0.0.1:8080, localhost, derived public URL', (t) => {
  const cwd = workdir(t);
  const c = load({ cwd });
  assert.equal(c.dataDir, join(cwd, 'data'));
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.domain, 'localhost');
  assert.equal(c.publicUrl, 'http://127.0.0.1:8080');
  assert.equal(c.maxUsers, 25);
  assert.equal(c.durability, 'full');
  assert.equal(c.logIdentifiers, false);
  assert.equal(c.passphrase, undefined);
  assert.equal(c.configFile, undefined);
  assert.equal(c.rateLimitPerSession, DEFAULTS.rateLimitPerSession);
});

test('precedence: file < environment < flags, setting by setting', (t) => {
  const cwd = workdir(t);
  mkdirSync(join(cwd, 'data'));
  writeFileSync(
    join(cwd, 'data', 'foyer.json'),
    JSON.stringify({ port: 1111, domain: 'file.example', maxUsers: 5, logLevel: 'warn' }),
  );
  const c = load({
    cwd,
    env: { FOYER_PORT: '2222', FOYER_DOMAIN: 'env.example' },
    argv: ['--port', '3333'],
  });
  assert.equal(c.port, 3333, 'flag beats env and file');
  assert.equal(c.domain, 'env.example', 'env beats file');
  assert.equal(c.maxUsers, 5, 'file beats default');
  assert.equal(c.logLevel, 'warn');
  assert.equal(c.publicUrl, 'http://127.0.0.1:3333', 'derived from the final host and port');
  assert.equal(c.configFile, join(cwd, 'data', 'foyer.json'));
});

test('the data folder comes from --data over FOYER_DATA, and its foyer.json is read', (t) => {
  const cwd = workdir(t);
  mkdirSync(join(cwd, 'a'));
  mkdirSync(join(cwd, 'b'));
  writeFileSync(join(cwd, 'a', 'foyer.json'), JSON.stringify({ domain: 'a.example' }));
  writeFileSync(join(cwd, 'b', 'foyer.json'), JSON.stringify({ domain: 'b.example' }));
  const c = load({ cwd, env: { FOYER_DATA: 'a' }, argv: ['--data=b'] });
  assert.equal(c.dataDir, join(cwd, 'b'));
  assert.equal(c.domain, 'b.example');
});

test('--config FILE (or FOYER_CONFIG) replaces the data folder file; its dataDir is relative to it', (t) => {
  const cwd = workdir(t);
  mkdirSync(join(cwd, 'etc'));
  writeFileSync(
    join(cwd, 'etc', 'foyer.json'),
    JSON.stringify({ dataDir: '../srv', publicUrl: 'https://maison.example/' }),
  );
  const c = load({ cwd, argv: ['--config', 'etc/foyer.json'] });
  assert.equal(c.dataDir, join(cwd, 'srv'));
  assert.equal(c.publicUrl, 'https://maison.example', 'trailing slash removed');
  const viaEnv = load({
    cwd,
    env: { FOYER_CONFIG: join(cwd, 'etc', 'foyer.json'), FOYER_DATA: 'other' },
  });
  assert.equal(viaEnv.dataDir, join(cwd, 'other'), 'env beats the file');
});

test('booleans, enums, IPv6 hosts and the passphrase from the environment', (t) => {
  const cwd = workdir(t);
  const c = load({
    cwd,
    env: {
      FOYER_LOG_IDENTIFIERS: 'true',
      FOYER_DURABILITY: 'normal',
      FOYER_HOST: '::1',
      FOYER_DATA_PASSPHRASE: 'a secret phrase',
      FOYER_PASSPHRASE: 'the client store phrase',
    },
    argv: ['--port', '0'],
  });
  // Each side has its own name: the client's never becomes the data key's passphrase.
  assert.equal(c.passphrase, 'a secret phrase');
  assert.equal(c.legacyPassphrase, 'the client store phrase');
  assert.equal(load({ cwd, env: { FOYER_PASSPHRASE: 'client' } }).passphrase, undefined);
  assert.equal(c.logIdentifiers, true);
  assert.equal(c.durability, 'normal');
  assert.equal(c.publicUrl, 'http://[::1]:0');
  assert.equal(c.passphrase, 'a secret phrase');
  assert.equal(load({ cwd, argv: ['--log-identifiers'] }).logIdentifiers, true);
});

test('bad values name the setting, the source and what is expected', (t) => {
  const cwd = workdir(t);
  assertConfigError(
    () => load({ cwd, env: { FOYER_PORT: 'abc' } }),
    /^port \(from FOYER_PORT\) must be an integer 0-65535, got "abc"$/,
  );
  assertConfigError(
    () => load({ cwd, argv: ['--port', '70000'] }),
    /port \(from --port\) must be an integer 0-65535, got "70000"/,
  );
  assertConfigError(
    () => load({ cwd, argv: ['--max-users', '0'] }),
    /maxUsers \(from --max-users\) must be an integer 1-10000/,
  );
  assertConfigError(
    () => load({ cwd, env: { FOYER_DOMAIN: 'Not A Domain' } }),
    /domain \(from FOYER_DOMAIN\) must be a lowercase domain/,
  );
  assertConfigError(
    () => load({ cwd, env: { FOYER_PUBLIC_URL: 'ftp://x' } }),
    /publicUrl \(from FOYER_PUBLIC_URL\) must be an http/,
  );
  assertConfigError(
    () => load({ cwd, env: { FOYER_LOG_LEVEL: 'loud' } }),
    /logLevel \(from FOYER_LOG_LEVEL\) must be one of fatal, error/,
  );
  assertConfigError(
    () => load({ cwd, env: { FOYER_LOG_IDENTIFIERS: 'maybe' } }),
    /logIdentifiers .* must be true or false/,
  );
  assertConfigError(
    () => load({ cwd, env: { FOYER_DURABILITY: 'off' } }),
    /durability .* must be one of full, normal/,
  );
  assertConfigError(
    () => load({ cwd, env: { FOYER_HOST: 'bad host!' } }),
    /host \(from FOYER_HOST\)/,
  );
  assertConfigError(
    () => load({ cwd, env: { FOYER_DATA_PASSPHRASE: '' } }),
    /passphrase \(from FOYER_DATA_PASSPHRASE\) must not be empty/,
  );
});

test('several bad values are reported together', (t) => {
  const cwd = workdir(t);
  assertConfigError(
    () => load({ cwd, env: { FOYER_PORT: 'x' }, argv: ['--max-users', 'y'] }),
    /port \(from FOYER_PORT\)/,
    /maxUsers \(from --max-users\)/,
  );
});

test('file errors: unknown keys, wrong types, passphrase, dataDir in the data folder, bad JSON', (t) => {
  const cwd = workdir(t);
  const data = join(cwd, 'data');
  mkdirSync(data);
  const file = join(data, 'foyer.json');
  writeFileSync(file, JSON.stringify({ prot: 1 }));
  assertConfigError(
    () => load({ cwd }),
    /unknown setting "prot" in .*foyer\.json \(known: dataDir, host, port/,
  );
  writeFileSync(file, JSON.stringify({ port: 'eighty' }));
  assertConfigError(
    () => load({ cwd }),
    /port \(from .*foyer\.json\) must be an integer 0-65535, got "eighty"/,
  );
  writeFileSync(file, JSON.stringify({ passphrase: 'x' }));
  assertConfigError(() => load({ cwd }), /passphrase cannot be set in .*FOYER_DATA_PASSPHRASE/);
  writeFileSync(file, JSON.stringify({ dataDir: '/elsewhere' }));
  assertConfigError(() => load({ cwd }), /dataDir cannot be set in .*foyer\.json/);
  writeFileSync(file, '{ "port": 1, }');
  assertConfigError(() => load({ cwd }), /foyer\.json is not valid JSON/);
  writeFileSync(file, '[1]');
  assertConfigError(() => load({ cwd }), /must hold a JSON object/);
  assertConfigError(
    () => load({ cwd, argv: ['--config', 'missing.json'] }),
    /cannot read configuration file .*missing\.json \(from --config\)/,
  );
});

test('flag errors: unknown flags, stray arguments, and no passphrase flag', (t) => {
  const cwd = workdir(t);
  assertConfigError(() => load({ cwd, argv: ['--colour'] }), /Unknown option '--colour'/);
  assertConfigError(() => load({ cwd, argv: ['extra'] }), /extra/);
  assertConfigError(
    () => load({ cwd, argv: ['--passphrase=x'] }),
    /cannot be given as a flag.*FOYER_DATA_PASSPHRASE/,
  );
  assertConfigError(() => load({ cwd, argv: ['--port'] }), /--port/);
});

test('docs/configuration.md documents every setting: file key, environment variable and flag', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  for (const s of SETTINGS) {
    assert.ok(doc.includes(`\`${s.key}\``), `file key ${s.key}`);
    assert.ok(doc.includes(`\`${s.env}\``), `environment ${s.env}`);
    assert.ok(doc.includes(`\`--${s.flag}`), `flag --${s.flag}`);
    const fallback = (DEFAULTS as Record<string, unknown>)[s.key];
    if (fallback !== undefined && typeof fallback !== 'object')
      assert.ok(
        doc.includes(`\`${String(fallback as string | number | boolean)}\``),
        `default of ${s.key}`,
      );
  }
  assert.ok(doc.includes('`FOYER_DATA_PASSPHRASE`') && doc.includes('`FOYER_CONFIG`'));
});
