/**
 * Fails when modules under src/ import each other in a cycle at run time (type-only imports
 * do not count: they vanish when the types are stripped). A cycle makes load order matter
 * and hides which way the engine's pipeline reads; see docs/architecture.md.
 *
 * Usage: node scripts/check-cycles.ts [DIR…]   (default: src)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { init, parse } from 'es-module-lexer';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Each file's run-time imports of other files in the set. */
function graph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const [imports] = parse(readFileSync(file, 'utf8'), file);
    const deps = imports
      .filter((i) => i.type === 'static' && !i.typeOnly && i.specifier?.startsWith('.') === true)
      .map((i) => resolve(dirname(file), i.specifier!))
      .filter((p) => known.has(p));
    edges.set(file, [...new Set(deps)]);
  }
  return edges;
}

/** The cycles of `edges`, one per strongly connected component (Tarjan), as paths. */
function cycles(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.reverse());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** One concrete cycle through `start` inside its component (breadth-first), for the report. */
function cycleThrough(
  start: string,
  component: Set<string>,
  edges: Map<string, string[]>,
): string[] {
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of edges.get(v) ?? []) {
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(from.get(path[0]!)!);
        return [...path, start];
      }
      if (component.has(w) && !from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

await init();
const roots = process.argv.length > 2 ? process.argv.slice(2) : ['src'];
const files = roots.flatMap((r) => sources(resolve(r)));
const edges = graph(files);
const found = cycles(edges);
for (const component of found) {
  const path = cycleThrough(component[0]!, new Set(component), edges);
  console.error(`import cycle: ${path.map((f) => relative(process.cwd(), f)).join(' → ')}`);
  console.error(`  (${component.length} modules in that knot)`);
}
if (found.length > 0) process.exit(1);
console.log(`no import cycle among ${files.length} modules`);
