/**
 * The benchmark's arithmetic and its two-instance population, without running a server:
 * CPU per delivery, adding up the samples of several processes, and who lives where and
 * which deliveries cross over when the household is split between two instances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { microsPerDelivery } from '../../bench/lib/report.ts';
import { combineSamples } from '../../bench/lib/phases.ts';
import type { ProcessSample } from '../../bench/lib/sampler.ts';
import { crossesInstances, homeOfUser } from '../../bench/lib/federation.ts';
import { buildPopulation } from '../../bench/lib/population.ts';

test('CPU per delivery is CPU seconds ÷ deliveries, in µs', () => {
  assert.equal(microsPerDelivery(0.78, 100_000), 7.8);
  assert.equal(microsPerDelivery(2.9, 1_000_000), 2.9);
  assert.equal(microsPerDelivery(1, 0), 0);
});

test('samples of two processes add up CPU and peaks', () => {
  const sample = (cpu: number, peak: number): ProcessSample => ({
    peakRssBytes: peak,
    samples: 10,
    seconds: 2,
    serverCpuSeconds: cpu,
    serverCpuPercent: Math.round((cpu / 2) * 100),
    loadgenCpuSeconds: 0.5,
    loadgenCpuPercent: 25,
    machine: { user: 50, system: 10, idle: 40, iowait: 0, steal: 0 },
  });
  const one = sample(1, 100);
  assert.equal(combineSamples([one]), one);
  const both = combineSamples([one, sample(0.5, 50)]);
  assert.equal(both.serverCpuSeconds, 1.5);
  assert.equal(both.serverCpuPercent, 75);
  assert.equal(both.peakRssBytes, 150);
  assert.equal(both.loadgenCpuSeconds, 0.5, 'one load generator');
});

test('household-25 on two instances: 13 + 12 users, 4 groups span both', () => {
  const pop = buildPopulation(25);
  const home = homeOfUser(25);
  assert.equal(pop.devices.filter((d) => home(d.user) === 0).length, 26);
  const spanning = pop.groups.filter((g) => new Set(g.users.map(home)).size > 1);
  assert.deepEqual(
    spanning.map((g) => g.users),
    [pop.groups[0]!.users, [10, 11, 12, 13, 14], [12, 13], [24, 0]],
  );
  const crosses = crossesInstances(pop, home);
  // The household group is hubbed on the first instance (device 0's); device 30 is user 15's.
  assert.equal(crosses(0, 2, 0), false, 'local sender, local recipient');
  assert.equal(crosses(0, 30, 0), true, 'the hub delivers to the other instance');
  assert.equal(crosses(30, 2, 0), true, 'the submission goes to the remote hub');
  assert.equal(crosses(30, 32, 0), true, 'both ways: to the hub and back');
  const circle = pop.groups.findIndex((g) => g.users[0] === 15);
  assert.equal(crosses(30, 32, circle), false, 'a circle hubbed where all its members live');
});
