/**
 * The JSON sections and the short tables of the end-to-end and two-instance workloads
 * (bench/lib/e2e.ts, bench/lib/federation.ts).
 */
import { DRAIN_MS as E2E_DRAIN_MS, type E2eRun } from './e2e.ts';
import { DOMAINS, DRAIN_MS as FEDERATION_DRAIN_MS, type FederationRun } from './federation.ts';
import type { BenchOptions } from './options.ts';
import type { LatencyFigures } from './report.ts';

const MiB = 1024 * 1024;

function mib(bytes: number): string {
  return (Math.round((bytes / MiB) * 10) / 10).toFixed(1);
}

function lat(l: LatencyFigures['latencyMs']): string {
  return `${l.p50} / ${l.p95} / ${l.p99} / ${l.max}`;
}

function table(title: string, rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([a]) => a.length)) + 2;
  return [title, '', ...rows.map(([a, b]) => `  ${a.padEnd(width)}${b}`)].join('\n');
}

/** The `e2e` section of the results document. */
export function e2eResult(r: E2eRun, opts: BenchOptions) {
  return {
    settings: {
      users: r.users,
      devices: r.devices,
      groups: r.groups,
      latency: {
        arrivals: 'poisson',
        offeredPerSecond: opts.rate,
        seconds: opts.e2eLatencySeconds,
      },
      saturation: { inFlightPerDevice: opts.e2eInFlight, seconds: opts.e2eSaturationSeconds },
      graceMs: Math.max(opts.graceMs, E2E_DRAIN_MS),
      serverFlags: r.serverFlags,
      note: 'senders encrypt when they send, recipients decrypt every item (src/shared/mls) and check the message id inside the plaintext; latency is from the start of encryption to the end of decryption; all clients share one process',
    },
    setupMs: r.setupMs,
    latency: r.latency,
    saturation: r.saturation,
    decryptMs: r.decryptMs,
    messageBytesAvg: r.messageBytesAvg,
    memory: { idleRssBytes: r.idleRssBytes, peakRssBytes: r.saturation.process.peakRssBytes },
    plaintextMismatches: r.mismatches,
    failures: r.failures,
  };
}

/** The `federation` section of the results document. */
export function federationResult(r: FederationRun, opts: BenchOptions) {
  return {
    settings: {
      users: r.users,
      devices: r.devices,
      groups: r.groups,
      instances: DOMAINS.map((domain, i) => ({ domain, users: r.usersPerInstance[i] })),
      groupsSpanningBothInstances: r.spanningGroups,
      senders:
        'every device sends to all its groups; to a group hubbed on the other instance through its own server, which forwards the submission',
      latency: { arrivals: 'poisson', offeredPerSecond: opts.rate, seconds: opts.latencySeconds },
      saturation: { inFlightPerDevice: opts.inFlight, seconds: opts.saturationSeconds },
      graceMs: Math.max(opts.graceMs, FEDERATION_DRAIN_MS),
      serverFlags: r.serverFlags,
      transport:
        'each device on its own instance over WebSocket; instances over signed HTTP, 127.0.0.1',
    },
    setup: { totalMs: r.setupMs, stepsMs: r.setupStepsMs, messageBytes: r.messageBytes },
    latency: r.run.latency,
    saturation: r.run.saturation,
    foreignItems: r.run.foreignItems,
    relayedNotices: {
      statusItems: r.run.statusItems,
      note: '`status` items the hubs sent to senders of the other instance once a message was relayed (both phases); not counted as deliveries',
    },
    processes: r.run.processes.map((p, i) => ({
      domain: DOMAINS[i],
      idleRssBytes: p.idleRssBytes,
      saturation: p.saturation,
    })),
    note: 'saturation.serverCpuMicrosPerDelivery adds up both server processes; saturation.process.peakRssBytes is the sum of their peaks',
  };
}

/** The short table of the end-to-end workload. */
export function e2eTable(r: E2eRun): string {
  const s = r.saturation;
  return table(
    `End to end: ${r.users} users × 2 devices, ${r.groups} groups, every recipient decrypts (setup ${(r.setupMs / 1000).toFixed(1)} s)`,
    [
      ['send → decrypted p50/p95/p99/max ms', lat(r.latency.latencyMs)],
      ['deliveries (lost) phase 1', `${r.latency.delivered} (${r.latency.lost})`],
      [
        'decrypted deliveries/s (phase 2)',
        `${s.deliveriesPerSecond} (${s.decryptedPerSecondPerDevice} per device)`,
      ],
      ['deliveries lost phase 2', String(s.lost)],
      ['client CPU µs per delivery', String(s.clientCpuMicrosPerDelivery)],
      ['server CPU µs per delivery', String(s.serverCpuMicrosPerDelivery)],
      [
        'server / clients CPU % (phase 2)',
        `${s.process.serverCpuPercent} / ${s.process.loadgenCpuPercent}`,
      ],
      ['decrypt wall time p50/p99 ms', `${r.decryptMs.p50} / ${r.decryptMs.p99}`],
      ['plaintext mismatches / failures', `${r.mismatches} / ${r.failures.length}`],
    ],
  );
}

/** The short table of the two-instance workload. */
export function federationTable(r: FederationRun): string {
  const { latency, saturation } = r.run;
  const cross = (l: LatencyFigures): string =>
    l.crossInstanceLatencyMs === undefined ? '-' : lat(l.crossInstanceLatencyMs);
  return table(
    `Two instances: ${r.users} users (${r.usersPerInstance.join(' + ')}) on ${DOMAINS.join(' and ')}, ` +
      `${r.spanningGroups} of ${r.groups} groups span both (setup ${(r.setupMs / 1000).toFixed(1)} s)`,
    [
      ['latency p50/p95/p99/max ms, all', lat(latency.latencyMs)],
      ['  crossing instances', cross(latency)],
      ['deliveries (lost) phase 1', `${latency.delivered} (${latency.lost})`],
      ['saturation messages/s', String(saturation.acceptedPerSecond)],
      ['saturation deliveries/s', String(saturation.deliveriesPerSecond)],
      [
        '  latency crossing instances p50/p99',
        saturation.crossInstanceLatencyMs === undefined
          ? '-'
          : `${saturation.crossInstanceLatencyMs.p50} / ${saturation.crossInstanceLatencyMs.p99}`,
      ],
      ['deliveries lost phase 2', String(saturation.lost)],
      ['relayed notices (status items)', String(r.run.statusItems)],
      ['server CPU µs per delivery (both)', String(saturation.serverCpuMicrosPerDelivery)],
      [
        'CPU % each server / loadgen',
        `${r.run.processes.map((p) => p.saturation.serverCpuPercent).join(' + ')} / ${saturation.process.loadgenCpuPercent}`,
      ],
      [
        'RSS idle / peak MiB, each server',
        r.run.processes
          .map((p) => `${mib(p.idleRssBytes)} / ${mib(p.saturation.peakRssBytes)}`)
          .join(', '),
      ],
    ],
  );
}
