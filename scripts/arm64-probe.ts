/**
 * Run by scripts/check-arm64.sh under qemu with the arm64 node: reports the architecture Node
 * sees and which native SQLite binary was really loaded, and exits 1 unless they are arm64.
 * better-sqlite3-multiple-ciphers picks `prebuilds/<platform>-<arch>.node` from process.arch
 * at run time; the process's own list of loaded shared objects shows the choice it made.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { CIPHER } from '../src/server/storage/cipher.ts';

const db = new Database(':memory:');
// The encryption extension answers only when the multiple-ciphers build is the one loaded.
db.pragma(`cipher = '${CIPHER}'`);
const cipher = db.pragma('cipher', { simple: true }) as unknown;
db.close();

const report = process.report.getReport() as { sharedObjects?: string[] };
const addons = (report.sharedObjects ?? []).filter((f) => f.endsWith('.node'));
const addon = addons.find((f) => f.includes('better-sqlite3-multiple-ciphers')) ?? '(none)';
const expected = `prebuilds/linux-${process.arch}.node`;

const shown = addon.includes('prebuilds/') ? addon.slice(addon.indexOf('prebuilds/')) : addon;

const ok = process.arch === 'arm64' && addon.endsWith(expected) && cipher === CIPHER;
console.log(
  `arch=${process.arch} node=${process.version} sqlite=${shown} cipher=${String(cipher)}`,
);
if (!ok) {
  console.error(`arm64-probe: expected arch arm64, ${expected} and cipher ${CIPHER}`);
  process.exit(1);
}
