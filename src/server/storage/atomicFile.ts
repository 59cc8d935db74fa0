/**
 * Writes small secret files so that a crash never leaves a half-written key in place and
 * an existing key is never replaced: write a temporary file, fsync it, then hard-link it to
 * its final name (link fails if the name exists, unlike rename), then fsync the folder.
 */
import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';

/**
 * Creates `path` with `data` and `mode`, durably and exclusively.
 * @throws the underlying fs error (EEXIST when `path` already exists).
 */
export function writeFileExclusive(path: string, data: string, mode: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } finally {
    unlinkSync(tmp);
  }
  fsyncDir(dirname(path));
}

/** Makes a creation, link or unlink in `dir` durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
