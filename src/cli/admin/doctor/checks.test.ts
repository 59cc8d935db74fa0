import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../server/config.ts';
import { checkBackups, checkReach } from './checks.ts';

const config = (argv: string[]) => loadConfig({ argv, env: {}, cwd: '/tmp' });

test('listening on loopback while people are sent to a name fails, with advice', () => {
  const [listen, https] = checkReach(
    config(['--host', '127.0.0.1', '--public-url', 'http://maison.example']),
  );
  assert.equal(listen?.status, 'fail');
  assert.match(listen?.advice ?? '', /0\.0\.0\.0/);
  assert.equal(https?.status, 'warn');
  const [lan] = checkReach(config(['--host', '0.0.0.0', '--public-url', 'https://maison.example']));
  assert.equal(lan?.status, 'ok');
  assert.equal(
    checkReach(config(['--host', '0.0.0.0', '--public-url', 'https://maison.example'])).length,
    1,
  );
});

test('no backup folder is a warning that says how to set one', () => {
  const c = checkBackups(config([]));
  assert.equal(c.status, 'warn');
  assert.match(c.advice ?? '', /foyer setup/);
});
