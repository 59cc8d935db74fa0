/**
 * A small bounded binary codec for Foyer's own signed structures (credentials, link
 * payloads). Fields are written in order; byte strings carry a 32-bit big-endian length.
 * The reader refuses any length past its bound, so a hostile input cannot make it allocate.
 */
import { FoyerError } from './errors.ts';
import { fromUtf8, utf8 } from './bytes.ts';

export class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  u8(v: number): this {
    this.push(Uint8Array.of(v & 0xff));
    return this;
  }

  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0);
    this.push(b);
    return this;
  }

  u64(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v));
    this.push(b);
    return this;
  }

  bytes(v: Uint8Array): this {
    this.u32(v.length);
    this.push(v);
    return this;
  }

  string(v: string): this {
    return this.bytes(utf8(v));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }
}

export class Reader {
  private offset = 0;
  private readonly data: Uint8Array;
  private readonly what: string;
  private readonly view: DataView;

  constructor(data: Uint8Array, what: string) {
    this.data = data;
    this.what = what;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  u8(): number {
    this.need(1);
    return this.data[this.offset++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.offset);
    this.offset += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('integer too large');
    return Number(v);
  }

  /** Reads a length-prefixed byte string of at most `max` bytes (exactly `max` when `exact`). */
  bytes(max: number, exact = false): Uint8Array {
    const len = this.u32();
    if (len > max || (exact && len !== max)) this.fail(`field length ${len} out of bounds`);
    this.need(len);
    const out = this.data.slice(this.offset, this.offset + len);
    this.offset += len;
    return out;
  }

  string(maxBytes: number): string {
    const s = fromUtf8(this.bytes(maxBytes));
    if (s === undefined) this.fail('malformed UTF-8');
    return s;
  }

  /** Asserts the whole input was consumed. */
  end(): void {
    if (this.offset !== this.data.length) this.fail('trailing bytes');
  }

  private need(n: number): void {
    if (this.offset + n > this.data.length) this.fail('truncated');
  }

  private fail(why: string): never {
    throw new FoyerError('bad_request', `malformed ${this.what}: ${why}`);
  }
}
