/**
 * What a running server tells the admin commands about itself: where it listens, its public
 * URL, since when, its process id and version. Written by `foyer start` once listening,
 * removed at a clean stop. After a crash the file stays behind; it is only believed while
 * the data-folder lock is held (dataLock.ts), so a stale file is reported as "not running".
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { DataLayout } from '../storage/layout.ts';
import { dataFolderInUse } from '../storage/dataLock.ts';
import { parsePortMappingStatus, type PortMappingStatus } from './portMapping/status.ts';

export interface RunInfo {
  pid: number;
  /** The address the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The URL people use (invite links). */
  publicUrl: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  version: string;
  /** The router port mapping, when on (updated while running). */
  portMapping?: PortMappingStatus | undefined;
}

export type RunState =
  ({ running: true } & Partial<RunInfo>) | { running: false; lastStartedAt?: number | undefined };

const MAX_RUN_FILE_BYTES = 4096;

/** Records the running server's details (replaced atomically). */
export function writeRunInfo(layout: DataLayout, info: RunInfo): void {
  const tmp = `${layout.runFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  renameSync(tmp, layout.runFile);
}

/** Removes the record at a clean stop. */
export function removeRunInfo(layout: DataLayout): void {
  rmSync(layout.runFile, { force: true });
}

/** The record as written, or undefined when absent or unreadable (never trusted for more). */
function readRunInfo(layout: DataLayout): Partial<RunInfo> | undefined {
  let text: string;
  try {
    text = readFileSync(layout.runFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.length > MAX_RUN_FILE_BYTES) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A half-written file after a crash: treated as absent.
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const p = parsed as Record<string, unknown>;
  const out: Partial<RunInfo> = {};
  if (Number.isSafeInteger(p.pid)) out.pid = p.pid as number;
  if (typeof p.url === 'string' && URL.canParse(p.url)) out.url = p.url;
  if (typeof p.publicUrl === 'string' && URL.canParse(p.publicUrl)) out.publicUrl = p.publicUrl;
  if (Number.isSafeInteger(p.startedAt)) out.startedAt = p.startedAt as number;
  if (typeof p.version === 'string' && p.version.length < 64) out.version = p.version;
  const mapping = parsePortMappingStatus(p.portMapping);
  if (mapping !== undefined) out.portMapping = mapping;
  return out;
}

/** Whether a server runs on this data folder and, if so, what it recorded. */
export function readRunState(layout: DataLayout): RunState {
  const info = readRunInfo(layout);
  if (dataFolderInUse(layout)) return { running: true, ...info };
  return { running: false, lastStartedAt: info?.startedAt };
}
