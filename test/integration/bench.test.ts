/**
 * Smoke run of the household benchmark (bench/household.ts) on a reduced population: the
 * real server and the bare relay, short phases. It checks the report is complete and that
 * no delivery was lost, duplicated or misdirected on either system — not the figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

test('the household benchmark runs end to end and loses no delivery', () => {
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
        '--out',
        out,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 90_000 },
    );
    assert.equal(r.status, 0, `bench failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stdout,
      /Foyer ÷ bare relay: deliveries\/s [\d.]+, server CPU per delivery [\d.]+/,
    );
    const j = JSON.parse(readFileSync(out, 'utf8'));

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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
