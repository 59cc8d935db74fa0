/**
 * LAN announcement: the server (in its namespace) announces NAME.local over mDNS, and a real
 * mDNS resolver on another host of the home link — avahi-daemon in the phone's namespace, asked
 * through avahi-resolve over a private D-Bus — finds its address and the service's port.
 * Needs root (namespaces) and Debian's avahi-daemon, avahi-utils and dbus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CLI, childEnv, removeDir, tempDir } from '../helpers/server.ts';
import { createHomeLink, linkDevice, netnsUnavailable } from '../helpers/netns.ts';

const missing =
  netnsUnavailable ||
  (['/usr/sbin/avahi-daemon', '/usr/bin/avahi-resolve', '/usr/bin/dbus-daemon'].every(existsSync)
    ? false
    : 'needs Debian avahi-daemon, avahi-utils and dbus');

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGTERM');
    await once(p, 'exit');
  }
}

test('lanAnnouncementIsFoundByAnMdnsQueryFromAnotherHost', { skip: missing }, async (t) => {
  const link = createHomeLink();
  const dir = tempDir();
  const procs: ChildProcess[] = [];
  t.after(async () => {
    for (const p of procs.reverse()) await stop(p);
    link.remove();
    removeDir(dir);
  });
  // A private system bus for avahi (the machine's own bus, if any, is left alone).
  const bus = join(dir, 'bus');
  const conf = readFileSync('/usr/share/dbus-1/system.conf', 'utf8')
    .replace(/<user>[^<]*<\/user>/, '')
    .replace(/<pidfile>[^<]*<\/pidfile>/, '')
    .replace(/<listen>[^<]*<\/listen>/, `<listen>unix:path=${bus}</listen>`)
    .replace(
      '<includedir>system.d</includedir>',
      '<includedir>/usr/share/dbus-1/system.d</includedir>',
    );
  writeFileSync(join(dir, 'dbus.conf'), conf);
  const dbus = spawn(
    'dbus-daemon',
    ['--config-file', join(dir, 'dbus.conf'), '--nofork', '--nopidfile'],
    { stdio: 'ignore' },
  );
  procs.push(dbus);
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${bus}` };
  for (let i = 0; i < 100 && !existsSync(bus); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(bus), 'the private bus is up');

  const phoneIf = linkDevice(link.phone);
  writeFileSync(
    join(dir, 'avahi.conf'),
    `[server]\nhost-name=phone-${randomBytes(3).toString('hex')}\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=${phoneIf}\nenable-dbus=yes\n[wide-area]\nenable-wide-area=no\n[publish]\npublish-hinfo=no\npublish-workstation=no\n`,
  );
  const avahi = link.spawnIn(
    link.phone,
    '/usr/sbin/avahi-daemon',
    [
      '-f',
      join(dir, 'avahi.conf'),
      '--no-drop-root',
      '--no-chroot',
      '--no-rlimits',
      '--no-proc-title',
    ],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  procs.push(avahi);
  let avahiOut = '';
  avahi.stderr!.on('data', (d: Buffer) => (avahiOut += d.toString()));
  avahi.stdout!.on('data', (d: Buffer) => (avahiOut += d.toString()));

  const name = `foyer-${randomBytes(3).toString('hex')}`;
  const server = link.spawnIn(
    link.server,
    process.execPath,
    [
      CLI,
      'start',
      '--data',
      join(dir, 'data'),
      '--host',
      link.serverAddress,
      '--port',
      '8080',
      '--public-url',
      `http://${name}.local:8080`,
      '--lan-announce',
      '--lan-name',
      name,
      '--lan-interface',
      linkDevice(link.server),
    ],
    { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  procs.push(server);
  let out = '';
  server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', () => {
      if (out.includes('listening on')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  assert.match(out, new RegExp(`Announced on the home network as ${name}\\.local`));

  const resolveName = (): string =>
    spawnSync('ip', ['netns', 'exec', link.phone, 'avahi-resolve', '-4', '-n', `${name}.local`], {
      env,
      encoding: 'utf8',
      timeout: 10_000,
    }).stdout;
  let answer = '';
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    answer = resolveName();
    if (answer.includes(link.serverAddress)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(
    answer.trim(),
    `${name}.local\t${link.serverAddress}`,
    `avahi: ${avahiOut}\nfoyer: ${out}`,
  );
  const browse = spawnSync(
    'ip',
    ['netns', 'exec', link.phone, 'avahi-browse', '-rtp', '_foyer._tcp'],
    { env, encoding: 'utf8', timeout: 15_000 },
  ).stdout;
  assert.match(
    browse,
    new RegExp(
      `^=;[^;]+;IPv4;Foyer\\\\032${name};_foyer\\._tcp;local;${name}\\.local;${link.serverAddress.replaceAll('.', '\\.')};8080;`,
      'm',
    ),
  );
});
