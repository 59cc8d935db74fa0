/**
 * The V8 heap settings `foyer start` runs the server with, applied by the command itself so
 * that every way of starting it (`./run start`, `npm start`, `bin/foyer.js`, the systemd
 * unit) gets them. V8 reads heap sizes when the process starts, so the command replaces its
 * own process with one started with the flags (`process.execve`: same process id, nothing
 * left behind) before it opens anything. The figures behind the choice are in
 * docs/performance.md ("V8 flags").
 */

/**
 * The young generation's semi-spaces are capped at 1 MiB (V8's default grows them to 16 or
 * 32 MiB under load, which is most of the peak), and the old generation at 256 MiB, a ceiling
 * that keeps a server on a 1 GB Raspberry Pi from taking the machine down with it.
 */
export const SERVER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--max-old-space-size=256',
];

/** Set to 0 to start the server with Node's own heap defaults. */
export const NODE_FLAGS_ENV = 'FOYER_NODE_FLAGS';

/** The option name of a `--name=value` flag, with dashes and underscores alike (V8 accepts both). */
function optionName(flag: string): string {
  return flag.split('=')[0]!.replace(/_/g, '-');
}

/**
 * The flags of `wanted` still to apply: those whose option the process was not already
 * started with, in its arguments or in NODE_OPTIONS (an operator's own choice wins).
 */
export function missingFlags(
  wanted: readonly string[],
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string[] {
  const given = new Set(
    [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter(Boolean).map(optionName),
  );
  return wanted.filter((flag) => !given.has(optionName(flag)));
}

/**
 * Replaces this process with the same command under SERVER_NODE_FLAGS, when some are missing
 * and Node can (`process.execve`, Node ≥ 22.15); otherwise returns and the server runs with
 * the heap settings it has. Call it before opening any file, socket or lock.
 */
export function applyServerNodeFlags(): void {
  if (process.env[NODE_FLAGS_ENV] === '0') return;
  const flags = missingFlags(SERVER_NODE_FLAGS, process.execArgv, process.env.NODE_OPTIONS);
  // process.execve exists on Node ≥ 22.15 but throws on Windows.
  if (flags.length === 0 || typeof process.execve !== 'function' || process.platform === 'win32')
    return;
  const script = process.argv[1];
  if (script === undefined) return;
  process.execve(process.execPath, [
    process.execPath,
    ...process.execArgv,
    ...flags,
    script,
    ...process.argv.slice(2),
  ]);
}
