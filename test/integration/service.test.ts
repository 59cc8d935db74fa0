/**
 * The systemd unit from `foyer install-service`: systemd itself parses it and rates its
 * sandbox (`systemd-analyze verify` and `security --offline`), when systemd is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { removeDir, runFoyer, tempDir } from '../helpers/server.ts';
import { serviceUnit } from '../../src/cli/admin/service.ts';

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const noSystemd =
  analyze.status === 0 ? false : 'systemd-analyze is not installed here (Linux with systemd only)';

test(
  'install-service writes a sandboxed unit that systemd accepts and rates well',
  { skip: noSystemd },
  async (t) => {
    const dir = tempDir();
    t.after(() => removeDir(dir));
    const unitFile = join(dir, 'foyer.service');
    const r = await runFoyer([
      'install-service',
      '--data',
      join(dir, 'data'),
      '--backup-dir',
      join(dir, 'b'),
      '--output',
      unitFile,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /systemctl daemon-reload && systemctl enable --now foyer/);
    const unit = readFileSync(unitFile, 'utf8');
    for (const line of [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'User=foyer',
      'CapabilityBoundingSet=\n',
      `ReadWritePaths=${join(dir, 'data')} ${join(dir, 'b')}`,
    ])
      assert.ok(unit.includes(line), line);
    assert.match(
      unit,
      new RegExp(
        `^ExecStart=${process.execPath} \\S+/bin/foyer\\.js start --data ${join(dir, 'data')}$`,
        'm',
      ),
    );
    const verify = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    const security = spawnSync('systemd-analyze', ['security', '--offline=true', unitFile], {
      encoding: 'utf8',
    });
    const score = /Overall exposure level for foyer\.service: ([\d.]+)/.exec(security.stdout);
    assert.ok(score !== null, security.stdout + security.stderr);
    assert.ok(Number(score[1]) <= 2.5, `exposure ${score[1]}`);
  },
);

test('a port below 1024 gets exactly the capability to bind it', () => {
  const unit = serviceUnit({
    node: '/usr/bin/node',
    foyer: '/opt/foyer/bin/foyer.js',
    dataDir: '/srv/foyer',
    user: 'foyer',
    port: 443,
  });
  assert.match(unit, /^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$/m);
  assert.match(unit, /^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
  const home = serviceUnit({
    node: '/usr/bin/node',
    foyer: '/opt/foyer/bin/foyer.js',
    dataDir: '/home/pi/foyer',
    user: 'foyer',
    port: 8080,
  });
  assert.doesNotMatch(home, /^ProtectHome=yes$/m);
});
