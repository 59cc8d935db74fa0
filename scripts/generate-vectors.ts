/**
 * Writes the known-answer vectors test/vectors/<format>.json from the fixed inputs in
 * test/vectors/formats.ts (`npm run vectors:generate`). Tests never run this: they replay
 * the committed files. Regenerate only on a deliberate format change, and review the diff —
 * a changed vector means stored data or other clients no longer read the same way.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as prettier from 'prettier';
import { FORMATS, generate } from '../test/vectors/formats.ts';

const dir = resolve(import.meta.dirname, '../test/vectors');
for (const format of FORMATS) {
  const file = join(dir, `${format}.json`);
  const options = (await prettier.resolveConfig(file)) ?? {};
  const text = await prettier.format(JSON.stringify(await generate(format)), {
    ...options,
    filepath: file,
  });
  await writeFile(file, text);
  console.log(`wrote ${file}`);
}
