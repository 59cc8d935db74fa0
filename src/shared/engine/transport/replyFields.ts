/**
 * Reading the fields of a server reply, once, at the boundary: every accessor checks the
 * field's type (and bound) and names it in the error, so nothing past the transport sees
 * an unchecked value. Unknown extra fields are ignored (a newer server may add some); a
 * missing or ill-typed one is `bad_reply`.
 */
import { FoyerError } from '../../protocol/errors.ts';

const B64URL_RE = /^[A-Za-z0-9_-]*$/;

/** Largest string field read by default (names, ids, domains, messages). */
const DEFAULT_MAX_CHARS = 1024;

/** A `bad_reply` error naming what the server sent wrongly. */
export function badReply(what: string, problem: string, cause?: unknown): FoyerError {
  return new FoyerError(
    'bad_reply',
    `the server sent a malformed ${what}: ${problem}`,
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

/** The fields of one JSON object of a reply. */
export class ReplyFields {
  private readonly o: Record<string, unknown>;
  /** What is being read, for errors ("session reply", "device 2"). */
  readonly what: string;

  private constructor(o: Record<string, unknown>, what: string) {
    this.o = o;
    this.what = what;
  }

  /** @throws FoyerError bad_reply when `v` is not a JSON object */
  static of(v: unknown, what: string): ReplyFields {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw badReply(what, 'not a JSON object');
    return new ReplyFields(v as Record<string, unknown>, what);
  }

  private bad(name: string, problem: string): FoyerError {
    return badReply(this.what, `${name} ${problem}`);
  }

  string(name: string, maxChars = DEFAULT_MAX_CHARS): string {
    const v = this.o[name];
    if (typeof v !== 'string') throw this.bad(name, 'is not a string');
    if (v.length > maxChars) throw this.bad(name, `is longer than ${maxChars} characters`);
    return v;
  }

  /** Unpadded base64url text (decoded later, by whoever knows its meaning). */
  b64(name: string, maxChars = DEFAULT_MAX_CHARS): string {
    const v = this.string(name, maxChars);
    if (!B64URL_RE.test(v)) throw this.bad(name, 'is not base64url');
    return v;
  }

  optionalB64(name: string, maxChars = DEFAULT_MAX_CHARS): string | undefined {
    return this.o[name] === undefined ? undefined : this.b64(name, maxChars);
  }

  /** A non-negative safe integer (counts, epochs, sequence numbers, times). */
  count(name: string): number {
    const v = this.o[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw this.bad(name, 'is not a non-negative integer');
    return v;
  }

  nullableCount(name: string): number | null {
    return this.o[name] === null ? null : this.count(name);
  }

  bool(name: string): boolean {
    const v = this.o[name];
    if (typeof v !== 'boolean') throw this.bad(name, 'is not a boolean');
    return v;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const v = this.o[name];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
      throw this.bad(name, `is not one of ${values.join(', ')}`);
    return v as T;
  }

  object(name: string): ReplyFields {
    return ReplyFields.of(this.o[name], `${this.what} (${name})`);
  }

  /** A list of at most `max` elements, each read by `read`. */
  list<T>(name: string, max: number, read: (f: ReplyFields) => T): T[] {
    const v = this.o[name];
    if (!Array.isArray(v)) throw this.bad(name, 'is not a list');
    if (v.length > max) throw this.bad(name, `has more than ${max} elements`);
    return v.map((e, i) => read(ReplyFields.of(e, `${this.what} (${name}[${i}])`)));
  }

  /** The raw value, for fields read leniently (error details). */
  raw(name: string): unknown {
    return this.o[name];
  }
}
