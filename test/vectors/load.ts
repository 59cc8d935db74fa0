/** Reads the committed vector files (Node side of the replays). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS, type VectorFile } from './formats.ts';

export function loadVectors(): VectorFile[] {
  return FORMATS.map(
    (f) => JSON.parse(readFileSync(join(import.meta.dirname, `${f}.json`), 'utf8')) as VectorFile,
  );
}
