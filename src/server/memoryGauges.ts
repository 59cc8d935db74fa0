/**
 * The process's memory as Prometheus gauges: resident set, V8 heap by space, and memory held
 * outside the heap. A household server runs on a small machine; these show where its memory
 * goes (the young generation, old objects, code, buffers) without a debugger.
 */
import { getHeapSpaceStatistics } from 'node:v8';

/** One gauge line's name, labels and value. */
export interface Gauge {
  name: string;
  help: string;
  labels: string;
  value: number;
}

/** Reads the gauges now (a few microseconds: no heap walk). */
export function memoryGauges(): Gauge[] {
  const usage = process.memoryUsage();
  const out: Gauge[] = [];
  const process_ = (kind: string, value: number): void => {
    out.push({
      name: 'foyer_process_memory_bytes',
      help: 'Process memory: resident set, V8 heap reserved and used, outside the heap.',
      labels: `{kind="${kind}"}`,
      value,
    });
  };
  process_('resident', usage.rss);
  process_('heap_total', usage.heapTotal);
  process_('heap_used', usage.heapUsed);
  process_('external', usage.external);
  process_('array_buffers', usage.arrayBuffers);
  for (const space of getHeapSpaceStatistics()) {
    out.push({
      name: 'foyer_heap_space_bytes',
      help: 'V8 heap space size (reserved and committed) by space.',
      labels: `{space="${space.space_name}"}`,
      value: space.space_size,
    });
  }
  return out;
}
