/**
 * Smoke run of the benchmark (bench/household.ts) on reduced populations, short phases: the
 * household workload (the real server and the bare relay), the end-to-end workload (clients
 * decrypt) and the two-instance workload (two federating servers). It checks each report is
 * complete and that no delivery was lost, duplicated or misdirected — not the figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

test('the benchmark runs every workload end to end and loses no delivery', () => {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-bench-test-'));
  try {
    const out = join(dir, 'result.json');
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bench/household.ts'),
        '--quick',
        '--users',
        '4',
        '--latency-seconds',
        '2',
        '--saturation-seconds',
        '2',
        '--cold-starts',
        '2',
        '--pool',
        '4',
        '--e2e-users',
        '2',
        '--e2e-latency-seconds',
        '2',
        '--e2e-saturation-seconds',
        '2',
        '--federation-users',
        '4',
        '--out',
        out,
      ],
      // Under the file's 300 s limit; about 35 s on a quiet machine, 165 s on a starved one.
      { cwd: ROOT, encoding: 'utf8', timeout: 280_000 },
    );
    assert.equal(r.status, 0, `bench failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stdout,
      /Foyer ÷ bare relay: deliveries\/s [\d.]+, server CPU per delivery [\d.]+/,
    );
    const j = JSON.parse(readFileSync(out, 'utf8'));
    // Resident memory is measured in MiB (/proc's kB are KiB) and labelled so.
    assert.match(r.stdout, /RSS idle \/ peak MiB/);
    assert.doesNotMatch(r.stdout, /\bMB\b/);

    assert.equal(j.workload, 'household-25');
    assert.match(j.git.commit, /^[0-9a-f]{40}$/);
    assert.ok(j.machine.cores >= 1 && j.machine.node.startsWith('v'));
    assert.equal(j.settings.devices, 8);
    assert.equal(j.settings.groups.total, 1 + 1 + 4);
    assert.equal(j.durability.sqlite.synchronous, 'FULL');
    assert.ok(
      j.settings.payload.messageBytes.avg > 100,
      'real MLS messages are bigger than their plaintext',
    );

    for (const system of ['foyer', 'relay']) {
      const s = j[system];
      for (const phase of [s.latency, s.saturation]) {
        assert.ok(phase.delivered > 0, `${system}: deliveries counted`);
        assert.equal(phase.lost, 0, `${system}: lost deliveries`);
        assert.equal(phase.duplicates, 0, `${system}: duplicated deliveries`);
        assert.equal(phase.misdirected, 0, `${system}: misdirected deliveries`);
        assert.deepEqual(phase.errors, {}, `${system}: refused messages`);
        assert.equal(phase.accepted, phase.sent);
        assert.ok(
          phase.latencyMs.p99 >= phase.latencyMs.p50 && phase.latencyMs.max >= phase.latencyMs.p99,
        );
      }
      assert.ok(s.saturation.deliveriesPerSecond > 0 && s.saturation.acceptedPerSecond > 0);
      // CPU time per delivery from the server process's own counters, over the same window.
      const p = s.saturation.process;
      assert.ok(p.serverCpuSeconds > 0 && p.seconds > 0, `${system}: server CPU measured`);
      // Both push deliveries in batches (the relay per event-loop turn, as Foyer per commit).
      assert.ok(
        s.saturation.itemsPerFrame > 1,
        `${system}: ${s.saturation.itemsPerFrame} per frame`,
      );
      assert.ok(
        Math.abs(
          s.saturation.serverCpuMicrosPerDelivery -
            (p.serverCpuSeconds * 1e6) / s.saturation.deliveredInWindow,
        ) <= 0.01,
        `${system}: CPU per delivery = CPU seconds ÷ deliveries in the window`,
      );
      assert.ok(s.memory.idleRssBytes > 0 && s.memory.peakRssBytes > 0);
    }
    assert.equal(j.foyer.coldStart.runsMs.length, 2);
    assert.ok(j.foyer.coldStart.medianMs > 0);
    assert.ok(j.ratio.deliveriesPerSecond > 0 && j.ratio.serverCpuPerDelivery > 0);
    assert.ok(j.budgets.some((b: { name: string }) => /p99/.test(b.name)));
    assert.deepEqual(j.variants, ['household', 'e2e', 'federation']);

    // End to end: every delivery counted was decrypted by its recipient, the id inside intact.
    assert.match(r.stdout, /End to end: 2 users × 2 devices/);
    const e = j.e2e;
    assert.equal(e.settings.devices, 4);
    assert.deepEqual(e.failures, []);
    assert.equal(e.plaintextMismatches, 0);
    for (const phase of [e.latency, e.saturation]) {
      assert.ok(phase.delivered > 0, 'e2e: deliveries decrypted');
      assert.equal(phase.lost, 0, 'e2e: lost deliveries');
      assert.equal(phase.duplicates + phase.misdirected, 0);
      assert.deepEqual(phase.errors, {});
    }
    assert.equal(e.decryptMs.count, e.latency.delivered + e.saturation.delivered);
    assert.ok(
      e.saturation.clientCpuMicrosPerDelivery > 0 && e.saturation.serverCpuMicrosPerDelivery > 0,
    );
    assert.ok(e.messageBytesAvg > 100, 'encrypted when sent: bigger than the plaintext');

    // Two instances: a group spans both, and deliveries cross to the other instance.
    assert.match(
      r.stdout,
      /Two instances: 4 users \(2 \+ 2\) on maison\.example and annexe\.example/,
    );
    const f = j.federation;
    assert.deepEqual(
      f.settings.instances.map((i: { users: number }) => i.users),
      [2, 2],
    );
    assert.ok(f.settings.groupsSpanningBothInstances >= 1);
    for (const phase of [f.latency, f.saturation]) {
      assert.ok(phase.delivered > 0, 'federation: deliveries counted');
      assert.equal(phase.lost, 0, 'federation: lost deliveries');
      assert.equal(phase.duplicates + phase.misdirected, 0);
      assert.deepEqual(phase.errors, {});
      assert.ok(phase.crossInstanceLatencyMs.count > 0, 'federation: deliveries crossed over');
      assert.ok(phase.crossInstanceLatencyMs.count < phase.latencyMs.count);
    }
    assert.equal(f.foreignItems, 0, 'federation: nothing pushed that was not sent');
    assert.ok(f.relayedNotices.statusItems > 0, 'federation: the hubs told senders of relays');
    assert.equal(f.processes.length, 2);
    assert.ok(
      Math.abs(
        f.saturation.process.serverCpuSeconds -
          f.processes.reduce(
            (a: number, p: { saturation: { serverCpuSeconds: number } }) =>
              a + p.saturation.serverCpuSeconds,
            0,
          ),
      ) < 0.002,
      'federation: CPU of both servers counted',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
