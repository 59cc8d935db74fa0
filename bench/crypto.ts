/**
 * MLS cost benchmark (ciphersuite 1, ts-mls through src/shared/mls).
 *
 *   node bench/crypto.ts [--json FILE] [--quick] [--browser]
 *
 * Medians and p95 of the operations a household group performs (bench/cryptoOps.ts). With
 * `--browser`, the same module is bundled with Vite and run in Debian's Chromium
 * (playwright-core, /usr/bin/chromium, a page served on loopback), and both columns are
 * printed side by side.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { CIPHERSUITE_NAME } from '../src/shared/mls/suite.ts';
import { runCryptoBench, type CryptoReport } from './cryptoOps.ts';

const args = process.argv.slice(2);
const jsonIndex = args.indexOf('--json');
const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
if (jsonIndex >= 0 && jsonFile === undefined) throw new Error('--json needs a file name');
const quick = args.includes('--quick');
const inBrowser = args.includes('--browser');

const node = await runCryptoBench(quick);
let browser: (CryptoReport & { userAgent: string }) | undefined;
if (inBrowser) {
  const { runInChromium } = await import('./browser/runInChromium.ts');
  browser = await runInChromium(quick);
}

const cpu = cpus()[0]?.model ?? 'unknown';
const width = Math.max(...node.rows.map((r) => r.name.length));
console.log(`MLS ${CIPHERSUITE_NAME} — Node ${process.version} — ${cpu}`);
if (browser !== undefined) console.log(`browser: ${browser.userAgent}`);
const head = `${'operation'.padEnd(width)}  ${'n'.padStart(4)}  ${'median ms'.padStart(10)}  ${'p95 ms'.padStart(8)}`;
console.log(
  browser === undefined ? head : `${head}  ${'Chromium median'.padStart(16)}  ${'p95'.padStart(8)}`,
);
for (const r of node.rows) {
  const line = `${r.name.padEnd(width)}  ${String(r.iterations).padStart(4)}  ${r.medianMs.toFixed(3).padStart(10)}  ${r.p95Ms.toFixed(3).padStart(8)}`;
  const b = browser?.rows.find((x) => x.name === r.name);
  console.log(
    b === undefined
      ? line
      : `${line}  ${b.medianMs.toFixed(3).padStart(16)}  ${b.p95Ms.toFixed(3).padStart(8)}`,
  );
}
console.log('\nsizes (bytes)');
for (const [name, bytes] of Object.entries(node.sizes)) console.log(`  ${name}: ${bytes}`);

if (jsonFile !== undefined) {
  const report = {
    benchmark: 'mls-crypto',
    ciphersuite: CIPHERSUITE_NAME,
    node: process.version,
    cpu,
    cpus: cpus().length,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    rows: node.rows,
    sizes: node.sizes,
    ...(browser === undefined
      ? {}
      : { browser: { userAgent: browser.userAgent, rows: browser.rows } }),
  };
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${jsonFile}`);
}
