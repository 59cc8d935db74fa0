/**
 * The server as it is deployed: `bin/foyer.js` runs the JavaScript that `npm run build`
 * compiles into dist/. Running the TypeScript sources instead makes Node load its type
 * stripper (about 18 MiB resident and a few hundred milliseconds per start), which a real
 * installation does not pay. The benchmark therefore compiles the same sources with the
 * project's build configuration into a private folder under bench/results (git-ignored;
 * inside the repository so that `node_modules` resolves) and runs that copy's CLI. The bare
 * relay is transpiled beside it, so that both run as plain JavaScript. The entry point is a
 * copy of bin/foyer.js, so the server starts exactly as an installed one does.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { CLI, RELAY, ROOT } from './processes.ts';

export interface ServerBuild {
  /** What to pass to `node` as the CLI entry point. */
  cli: string;
  /** The bare relay's entry point, built the same way (so memory figures compare). */
  relay: string;
  kind: 'compiled' | 'source';
  /** Removes the compiled copy, if any. */
  dispose(): void;
}

/**
 * Compiles src/ with tsconfig.build.json into a temporary folder, or uses the sources.
 * Type checking is skipped (`--noCheck`), as Node skips it when it runs the sources: the
 * benchmark measures the code, `npm run typecheck` judges its types.
 * @throws Error when the TypeScript compiler fails
 */
export function serverBuild(kind: 'compiled' | 'source'): ServerBuild {
  if (kind === 'source') return { cli: CLI, relay: RELAY, kind, dispose: () => undefined };
  const parent = join(ROOT, 'bench/results');
  mkdirSync(parent, { recursive: true });
  const outDir = mkdtempSync(join(parent, '.server-build-'));
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      outDir,
      '--sourceMap',
      'false',
      '--noCheck',
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`cannot compile the server (tsc exited ${r.status}):\n${r.stdout}${r.stderr}`);
  }
  const relay = join(outDir, 'bareRelay.js');
  const js = ts.transpileModule(readFileSync(RELAY, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
  });
  writeFileSync(relay, js.outputText);
  // Start it exactly as bin/foyer.js does (compile cache included), from the private copy.
  const entry = join(outDir, 'foyer.js');
  const bin = readFileSync(join(ROOT, 'bin/foyer.js'), 'utf8');
  if (!bin.includes("'../dist/cli/main.js'"))
    throw new Error('bin/foyer.js no longer imports ../dist/cli/main.js');
  writeFileSync(entry, bin.replace("'../dist/cli/main.js'", "'./cli/main.js'"));
  return {
    cli: entry,
    relay,
    kind,
    dispose: () => rmSync(outDir, { recursive: true, force: true }),
  };
}
