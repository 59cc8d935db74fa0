/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. the server run by
 * `npm run bench -- --server-cpu-prof DIR`): self time by function and by module, and the
 * time spent under each of a few Foyer entry points (inclusive), so that hot spots can be
 * named without a GUI.
 *
 *   node bench/profileSummary.ts FILE.cpuprofile [--top N] [--from S] [--to S]
 *
 * `--from`/`--to` keep the samples between S seconds after the profile started (about when
 * the process was spawned; the benchmark's JSON gives each phase's `timelineSeconds`).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    from: { type: 'string', default: '0' },
    to: { type: 'string', default: 'Infinity' },
  },
});
const file = positionals[0];
if (file === undefined) {
  process.stderr.write(
    'usage: node bench/profileSummary.ts FILE.cpuprofile [--top N] [--from S] [--to S]\n',
  );
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Microseconds of samples per node (self time). */
const self = new Map<number, number>();
const fromUs = Number(values.from) * 1e6;
const toUs = Number(values.to) * 1e6;
let at = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (at >= fromUs && at <= toUs) self.set(id, (self.get(id) ?? 0) + dt);
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.search(/\/(src|cli|server|shared)\//);
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, '');
}

/** The module a frame belongs to: a package name, a Foyer source folder, or the runtime. */
function moduleOf(url: string): string {
  if (url === '') return '(native / runtime)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node: built-ins';
  const m = /\/(server|shared|cli)\/([^/]+)\//.exec(url);
  return m === null ? shortUrl(url) : `foyer ${m[1]}/${m[2]}`;
}

const fnSelf = new Map<string, number>();
const modSelf = new Map<string, number>();
for (const [id, us] of self) {
  const f = byId.get(id)!.callFrame;
  const key = `${f.functionName || '(anonymous)'}  ${f.url === '' ? '' : `${shortUrl(f.url)}:${f.lineNumber + 1}`}`;
  fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
  const mod = moduleOf(f.url);
  modSelf.set(mod, (modSelf.get(mod) ?? 0) + us);
}

/** Inclusive time under frames whose function name matches (counted once per sample). */
function inclusive(match: (n: ProfileNode) => boolean): number {
  let sum = 0;
  for (const [id, us] of self) {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      if (match(byId.get(cur)!)) {
        sum += us;
        break;
      }
    }
  }
  return sum;
}

const pct = (us: number): string => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
const print = (title: string, m: Map<string, number>, n: number): void => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
  }
};

process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s of samples\n`);
print('Self time by module', modSelf, top);
print('Self time by function', fnSelf, top);

const entries: Array<[string, (n: ProfileNode) => boolean]> = [
  ['(idle)', (n) => n.callFrame.functionName === '(idle)'],
  ['(garbage collector)', (n) => n.callFrame.functionName === '(garbage collector)'],
  [
    'Writer.flush (SQLite batch + commit)',
    (n) => n.callFrame.functionName === 'flush' && n.callFrame.url.endsWith('/writer.js'),
  ],
  ['Mailboxes.enqueue', (n) => n.callFrame.functionName === 'enqueue'],
  ['Mailboxes.ack / deleteWhere', (n) => n.callFrame.functionName === 'deleteWhere'],
  ['Mailboxes.publish (push to sockets)', (n) => n.callFrame.functionName === 'publish'],
  [
    'Hub.submit (outside the batch)',
    (n) => n.callFrame.functionName === 'submit' && n.callFrame.url.includes('/hub/'),
  ],
  ['inspectMessage (MLS framing)', (n) => n.callFrame.functionName === 'inspectMessage'],
  ['JSON.stringify', (n) => n.callFrame.functionName === 'stringify'],
  ['JSON.parse', (n) => n.callFrame.functionName === 'parse' && n.callFrame.url === ''],
  [
    'ws send path',
    (n) => n.callFrame.functionName === 'send' && n.callFrame.url.includes('/ws/lib/'),
  ],
  ['ws receive path', (n) => n.callFrame.url.includes('/ws/lib/receiver')],
];
process.stdout.write('\nInclusive time under entry points\n');
for (const [name, match] of entries) process.stdout.write(`  ${pct(inclusive(match))}  ${name}\n`);
