/** Small numeric helpers for the benchmark: samples and percentiles, a seeded random source. */

/** A growable list of numbers (no per-sample allocation). */
export class Samples {
  private data = new Float64Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  /** p50/p95/p99/max (nearest rank), rounded to 0.01 ms; zeros when empty. */
  summary(): Percentiles {
    const n = this.length;
    if (n === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
    const sorted = this.data.slice(0, n).sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i]!;
    const at = (q: number): number => round2(sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]!);
    return {
      count: n,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      max: round2(sorted[n - 1]!),
      mean: round2(sum / n),
    };
  }
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Median of a list (mean of the two middle values for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** mulberry32: a tiny seeded generator, so that a run's choices can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponentially distributed gap (Poisson arrivals) with the given mean. */
export function exponential(random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean;
}
