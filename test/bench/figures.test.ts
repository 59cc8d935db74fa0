/**
 * The benchmark's arithmetic and its two-instance population, without running a server:
 * CPU per delivery, adding up the samples of several processes, and who lives where and
 * sends to what when the household is split between two instances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { microsPerDelivery } from '../../bench/lib/report.ts';
import { combineSamples } from '../../bench/lib/phases.ts';
import type { ProcessSample } from '../../bench/lib/sampler.ts';
import { homeOfUser, sendGroupsOf } from '../../bench/lib/federation.ts';
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

test('household-25 on two instances: 13 + 12 users, 4 groups span both, everyone sends', () => {
  const pop = buildPopulation(25);
  const home = homeOfUser(25);
  assert.equal(pop.devices.filter((d) => home(d.user) === 0).length, 26);
  const spanning = pop.groups.filter((g) => new Set(g.users.map(home)).size > 1);
  assert.deepEqual(
    spanning.map((g) => g.users),
    [pop.groups[0]!.users, [10, 11, 12, 13, 14], [12, 13], [24, 0]],
  );
  const send = sendGroupsOf(pop, home);
  for (const d of pop.devices) {
    assert.ok(send[d.index]!.length > 0, `device ${d.index} sends somewhere`);
    for (const g of send[d.index]!) {
      assert.ok(d.groups.includes(g));
      assert.equal(home(pop.groups[g]!.users[0]!), home(d.user), 'only to groups hosted at home');
    }
  }
  // The household group is hosted on the first instance: only its devices send there.
  assert.ok(send[0]!.includes(0) && !send[26]!.includes(0));
});
