/**
 * Router port mapping against Debian's miniupnpd acting as the home router: the Foyer server
 * runs in the home namespace with port mapping on; the router (its own namespace) must show the
 * forward as an nftables DNAT rule, keep it past its short lease because the server renews it,
 * and drop it when the server stops; meanwhile a host on the wan side reaches the server through
 * the router's wan address. Once with UPnP IGD, once with NAT-PMP; and without any router, the
 * server still starts and says what to do. Needs root (namespaces) and Debian's
 * miniupnpd-nftables, nftables and miniupnpc.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, childEnv, removeDir, tempDir } from '../helpers/server.ts';
import {
  createHomeLink,
  createRoutedHome,
  netnsUnavailable,
  type RoutedHome,
} from '../helpers/netns.ts';
import { EXTERNAL_ADDRESS_LABEL, miniupnpdMissing, startMiniUpnpd } from '../helpers/miniupnpd.ts';

const skip = netnsUnavailable || miniupnpdMissing;
/** The shortest lease Foyer accepts: renewed every 5 s, so the test sees renewals quickly. */
const LEASE = 10;

interface Server {
  proc: ChildProcess;
  output(): string;
  /** Resolves once the output matches; rejects if the server exits first or after the timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<number | null>;
}

function startIn(spawnIn: RoutedHome['spawnIn'], ns: string, args: string[]): Server {
  const proc = spawnIn(ns, process.execPath, [CLI, 'start', ...args], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  return {
    proc,
    output: () => out,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        // A missing line fails the test instead of hanging it.
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${out}`));
        }, timeoutMs);
        const check = () => {
          if (!pattern.test(out)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        waiters.add(check);
        proc.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`server exited (${code}) before ${pattern}: ${out}`));
        });
        check();
      }),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const [code] = (await once(proc, 'exit')) as [number | null];
      return code;
    },
  };
}

/** GET `url` from namespace `ns` with Node's fetch; the status and body. */
async function fetchFrom(net: RoutedHome, ns: string, url: string): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) }).then(async (r) => console.log(r.status, await r.text()), (e) => { console.log('error', e.cause?.code ?? e.message); })`;
  const p = net.spawnIn(ns, process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await once(p, 'close');
  return out.trim();
}

/** `foyer doctor --json`'s port mapping check, run in the home namespace. */
async function doctorCheck(
  net: RoutedHome,
  data: string,
): Promise<{ status: string; detail: string }> {
  const p = net.spawnIn(net.home, process.execPath, [CLI, 'doctor', '--data', data, '--json'], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await once(p, 'close');
  const report = JSON.parse(out.trim().split('\n').at(-1)!) as {
    checks: Array<{ name: string; status: string; detail: string }>;
  };
  const check = report.checks.find((c) => c.name === 'port mapping');
  assert.ok(check, `doctor has a port mapping check: ${out}`);
  return check;
}

for (const [mode, label] of [
  ['upnp', 'UPnP IGD'],
  ['natpmp', 'NAT-PMP'],
] as const) {
  test(
    `portMappingThrough${mode === 'upnp' ? 'Upnp' : 'NatPmp'}IsMadeRenewedAndRemoved`,
    { skip },
    async (t) => {
      const net = createRoutedHome();
      const dir = tempDir();
      const cleanups: Array<() => unknown> = [];
      t.after(async () => {
        for (const c of cleanups.reverse()) await c();
        net.remove();
        removeDir(dir);
      });
      const router = await startMiniUpnpd(net, dir);
      cleanups.push(() => router.stop());
      assert.deepEqual(router.forwards(), [], 'no forward before the server starts');

      const data = join(dir, 'data');
      // People are sent to the router's wan address (port 443); the server listens on 8080. Plain
      // HTTP on 443 keeps the test about the forward, not about certificates. The settings are
      // in foyer.json, as `foyer setup` writes them, so that `foyer doctor` reads the same.
      mkdirSync(data, { mode: 0o700 });
      writeFileSync(
        join(data, 'foyer.json'),
        JSON.stringify({
          host: '0.0.0.0',
          port: 8080,
          domain: 'maison.example',
          publicUrl: `https://${net.routerWanAddress}`,
          portMapping: mode,
          portMappingLeaseSeconds: LEASE,
        }),
      );
      const server = startIn(net.spawnIn, net.home, ['--data', data]);
      cleanups.push(() => server.stop());
      await server.waitFor(
        new RegExp(`Router port mapping: 443 → 8080 through ${label} \\(lease ${LEASE} s`),
      );
      const mappedAt = Date.now();
      // nft prints miniupnpd's TCP match as the IP protocol byte: `@nh,72,8 0x6 th dport 443`.
      const rule = new RegExp(
        `@nh,72,8 0x6 th dport 443 dnat ip to ${net.homeAddress.replaceAll('.', '\\.')}:8080$`,
      );
      assert.equal(router.forwards().length, 1, router.forwards().join('\n'));
      assert.match(router.forwards()[0]!, rule);
      assert.match(router.forwards()[0]!, new RegExp(`iif "${net.routerWanDevice}"`));
      if (mode === 'upnp')
        assert.match(
          router.upnpList(),
          new RegExp(`TCP +443->${net.homeAddress.replaceAll('.', '\\.')}:8080 +'Foyer'`),
        );

      // From the internet side, through the router's wan address: the Foyer server answers.
      const wellKnown = await fetchFrom(
        net,
        net.wan,
        `http://${net.routerWanAddress}:443/.well-known/foyer`,
      );
      assert.match(wellKnown, /^200 .*"domain":"maison\.example"/);
      // Without the forward, the router itself has nothing on 443.
      assert.match(await fetchFrom(net, net.wan, `http://${net.routerWanAddress}:444/`), /^error/);

      const doctor = await doctorCheck(net, data);
      assert.equal(doctor.status, 'ok', doctor.detail);
      assert.match(
        doctor.detail,
        mode === 'upnp' ? /present on the router \(UPnP IGD\): 443 →/ : /through NAT-PMP, renewed/,
      );
      assert.doesNotMatch(
        server.output(),
        new RegExp(EXTERNAL_ADDRESS_LABEL.replaceAll('.', '\\.')),
        'no address in the log',
      );

      // Past the first lease the router still forwards: the server renewed it (miniupnpd drops
      // a forward whose lease ran out). Three renewals, one every LEASE/2, is one and a half leases.
      await server.waitFor(/(?:Router port mapping renewed: 443 → 8080[^]*){3}/);
      assert.ok(Date.now() - mappedAt > LEASE * 1000 + 2000);
      assert.match(router.forwards().join('\n'), rule);
      assert.match(
        await fetchFrom(net, net.wan, `http://${net.routerWanAddress}:443/healthz`),
        /^200 /,
      );

      // Stopped: the forward is gone at once, not at the end of its lease.
      assert.equal(await server.stop(), 0, server.output());
      assert.match(server.output(), /Router port mapping removed: 443 → 8080/);
      assert.deepEqual(router.forwards(), [], server.output());
      assert.match(
        await fetchFrom(net, net.wan, `http://${net.routerWanAddress}:443/healthz`),
        /^error/,
      );
    },
  );
}

test('portMappingWithoutRouterWarnsAndServerStillServes', { skip: netnsUnavailable }, async (t) => {
  // A home link with no router at all: nothing answers SSDP, no default gateway for NAT-PMP.
  const link = createHomeLink();
  const dir = tempDir();
  const servers: Server[] = [];
  t.after(async () => {
    for (const s of servers) await s.stop();
    link.remove();
    removeDir(dir);
  });
  const server = startIn(link.spawnIn, link.server, [
    '--data',
    join(dir, 'data'),
    '--host',
    link.serverAddress,
    '--port',
    '8080',
    '--port-mapping',
    'auto',
  ]);
  servers.push(server);
  await server.waitFor(
    /Router port mapping failed: [^\n]*no UPnP IGD router answered[^\n]*no default gateway/,
  );
  assert.match(server.output(), /Foyer listening on/);
  assert.match(server.output(), /Forward 8080 → 8080 on the router by hand/);
  const p = spawn(
    'ip',
    [
      'netns',
      'exec',
      link.phone,
      process.execPath,
      '-e',
      `fetch('http://${link.serverAddress}:8080/healthz').then(async (r) => console.log(r.status))`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await once(p, 'close');
  assert.equal(out.trim(), '200', 'the server serves the home network anyway');
  assert.equal(await server.stop(), 0, server.output());
});
