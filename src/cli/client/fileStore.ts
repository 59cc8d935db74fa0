/**
 * The CLI's Storage: one file per record in a folder (names are EncryptedStore's hashed
 * keys, contents its sealed records).
 * - Atomic record writes: temp file, fsync, rename, fsync of the folder.
 * - Atomic batches: the batch is first written as one journal file (atomically); then each
 *   record is written; then the journal is removed. Opening the store replays a journal
 *   left by a crash, so a batch lands entirely or not at all.
 * - One process at a time: a lock file holding the owner's pid (a stale one, whose process
 *   is gone, is taken over). Two processes sharing MLS state could reuse a message key.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { Reader, Writer } from '../../shared/protocol/binary.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import { assertStorageKey, type Storage, type StorageWrite } from '../../shared/engine/index.ts';

const RECORDS = 'records';
const JOURNAL = 'journal';
const LOCK = 'lock';
const MAX_RECORD = 64 * 1024 * 1024;

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Writes `data` to `path` atomically and durably. */
function atomicWrite(dir: string, name: string, data: Uint8Array): void {
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileStorage implements Storage {
  readonly dir: string;
  private readonly records: string;
  private locked = false;

  private constructor(dir: string) {
    this.dir = dir;
    this.records = join(dir, RECORDS);
  }

  /**
   * Opens (creating) the store folder, takes its lock and replays an interrupted batch.
   * @throws FoyerError locked when another live process holds the store
   */
  static open(dir: string): FileStorage {
    mkdirSync(join(dir, RECORDS), { recursive: true, mode: 0o700 });
    const s = new FileStorage(dir);
    s.lock();
    try {
      s.replayJournal();
    } catch (err) {
      s.unlock();
      throw err;
    }
    return s;
  }

  private lock(): void {
    const path = join(this.dir, LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
        this.locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isSafeInteger(owner) && owner !== process.pid && pidAlive(owner)) {
        throw new FoyerError(
          'locked',
          `the client store is in use by another process (pid ${owner})`,
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
    throw new FoyerError('locked', 'cannot lock the client store');
  }

  private unlock(): void {
    if (!this.locked) return;
    rmSync(join(this.dir, LOCK), { force: true });
    this.locked = false;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    assertStorageKey(key);
    try {
      return new Uint8Array(readFileSync(join(this.records, key)));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async write(writes: readonly StorageWrite[]): Promise<void> {
    if (!this.locked) throw new Error('the file store is closed');
    for (const [key, value] of writes) {
      assertStorageKey(key);
      if (value !== undefined && value.length > MAX_RECORD)
        throw new FoyerError('payload_too_large', 'record too large');
    }
    if (writes.length === 0) return;
    if (writes.length === 1) {
      this.apply(writes);
      fsyncDir(this.records);
      return;
    }
    atomicWrite(this.dir, JOURNAL, encodeJournal(writes));
    fsyncDir(this.dir);
    this.apply(writes);
    fsyncDir(this.records);
    rmSync(join(this.dir, JOURNAL));
  }

  async keys(): Promise<string[]> {
    return readdirSync(this.records).filter((n) => !n.startsWith('.'));
  }

  async close(): Promise<void> {
    this.unlock();
  }

  private apply(writes: readonly StorageWrite[]): void {
    for (const [key, value] of writes) {
      if (value === undefined) rmSync(join(this.records, key), { force: true });
      else atomicWrite(this.records, key, value);
    }
  }

  private replayJournal(): void {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(this.dir, JOURNAL)));
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    // The journal was renamed into place only once complete: one that does not decode was
    // damaged afterwards.
    let writes: StorageWrite[];
    try {
      writes = decodeJournal(bytes);
    } catch (err) {
      if (!(err instanceof FoyerError)) throw err;
      throw new FoyerError('corrupt_store', 'the client store journal is damaged', undefined, {
        cause: err,
      });
    }
    this.apply(writes);
    fsyncDir(this.records);
    rmSync(join(this.dir, JOURNAL));
  }
}

const JOURNAL_VERSION = 1;

function encodeJournal(writes: readonly StorageWrite[]): Uint8Array {
  const w = new Writer().u8(JOURNAL_VERSION).u32(writes.length);
  for (const [key, value] of writes) {
    w.string(key).u8(value === undefined ? 0 : 1);
    if (value !== undefined) w.bytes(value);
  }
  return w.finish();
}

function decodeJournal(bytes: Uint8Array): StorageWrite[] {
  const r = new Reader(bytes, 'client store journal');
  if (r.u8() !== JOURNAL_VERSION)
    throw new FoyerError('corrupt_store', 'unknown client store journal version');
  const n = r.u32();
  const out: StorageWrite[] = [];
  for (let i = 0; i < n; i++) {
    const key = r.string(128);
    out.push([key, r.u8() === 1 ? r.bytes(MAX_RECORD) : undefined]);
  }
  r.end();
  return out;
}
