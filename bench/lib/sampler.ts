/** Samples a child process's resident memory and CPU time while a phase runs. */
import { readFileSync } from 'node:fs';
import { cpuUsage } from 'node:process';
import { performance } from 'node:perf_hooks';
import { cpuSeconds, rssBytes } from './processes.ts';

export interface ProcessSample {
  /** Peak VmRSS seen, bytes. */
  peakRssBytes: number;
  samples: number;
  /** Length of the sampled window, seconds. */
  seconds: number;
  /** CPU time (user + system) the server process used in the window, seconds. */
  serverCpuSeconds: number;
  /** CPU used by the server process over the sampled time, percent of one core. */
  serverCpuPercent: number;
  /** CPU time this load generator used in the window, seconds. */
  loadgenCpuSeconds: number;
  /** CPU used by this load generator over the same time, percent of one core. */
  loadgenCpuPercent: number;
  /** The whole machine over the same time (/proc/stat), percent of all cores together. */
  machine: { user: number; system: number; idle: number; iowait: number; steal: number };
}

/** Cumulative ticks of the first /proc/stat line: user, nice, system, idle, iowait, irq, softirq, steal. */
function machineTicks(): number[] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  return line.trim().split(/\s+/).slice(1, 9).map(Number);
}

export class ProcessSampler {
  private readonly pid: number;
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private count = 0;
  private t0 = 0;
  private cpu0 = 0;
  private own0 = cpuUsage();
  private ticks0: number[] = [];

  constructor(pid: number) {
    this.pid = pid;
  }

  /** Starts sampling VmRSS every `intervalMs`. */
  start(intervalMs = 100): void {
    this.t0 = performance.now();
    this.cpu0 = cpuSeconds(this.pid);
    this.own0 = cpuUsage();
    this.ticks0 = machineTicks();
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): ProcessSample {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.t0) / 1000;
    const own = cpuUsage(this.own0);
    const d = machineTicks().map((v, i) => v - this.ticks0[i]!);
    const all = d.reduce((a, b) => a + b, 0) || 1;
    const pct = (v: number): number => Math.round((v / all) * 100);
    const serverCpu = cpuSeconds(this.pid) - this.cpu0;
    const loadgenCpu = (own.user + own.system) / 1e6;
    return {
      machine: {
        user: pct(d[0]! + d[1]!),
        system: pct(d[2]! + d[5]! + d[6]!),
        idle: pct(d[3]!),
        iowait: pct(d[4]!),
        steal: pct(d[7]!),
      },
      peakRssBytes: this.peak,
      samples: this.count,
      seconds: Math.round(seconds * 1000) / 1000,
      serverCpuSeconds: Math.round(serverCpu * 1000) / 1000,
      serverCpuPercent: Math.round((serverCpu / seconds) * 100),
      loadgenCpuSeconds: Math.round(loadgenCpu * 1000) / 1000,
      loadgenCpuPercent: Math.round((loadgenCpu / seconds) * 100),
    };
  }

  private sample(): void {
    this.peak = Math.max(this.peak, rssBytes(this.pid));
    this.count++;
  }
}
