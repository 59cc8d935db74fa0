/**
 * Shared pieces of the property tests: fast-check settings, arbitraries for Foyer's names and
 * keys, mutations of valid encodings, and an assertion that a decoder fails only in the way
 * it declares.
 *
 * Runs are random by default, and fast-check prints the seed and path of any failure;
 * `FOYER_FC_SEED=<seed>` replays one, `FOYER_FC_RUNS=<n>` scales every run count (CI keeps
 * the defaults, which hold the whole suite to a few seconds).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FoyerError, type ErrorCode } from '../../src/shared/protocol/errors.ts';
import { concatBytes as concat, equalBytes } from '../../src/shared/protocol/bytes.ts';

const seedText = process.env['FOYER_FC_SEED'];
const scale = Number(process.env['FOYER_FC_RUNS'] ?? '1') || 1;
if (seedText !== undefined) fc.configureGlobal({ seed: Number(seedText) });

/** fast-check parameters for `runs` cases (scaled by FOYER_FC_RUNS). */
export function runs(n: number): { numRuns: number } {
  return { numRuns: Math.max(1, Math.round(n * scale)) };
}

/** Calls `fn`; any throw must be a FoyerError with one of `codes`. Returns the value or undefined. */
export function onlyFails<T>(fn: () => T, codes: readonly ErrorCode[]): T | undefined {
  try {
    return fn();
  } catch (err) {
    assertFoyerError(err, codes);
    return undefined;
  }
}

/** The async form of `onlyFails`. */
export async function onlyFailsAsync<T>(
  fn: () => Promise<T>,
  codes: readonly ErrorCode[],
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    assertFoyerError(err, codes);
    return undefined;
  }
}

/** Asserts `err` is a FoyerError with one of `codes` (and shows the stray error otherwise). */
export function assertFoyerError(err: unknown, codes: readonly ErrorCode[]): void {
  if (!(err instanceof FoyerError)) {
    assert.fail(`expected a FoyerError (${codes.join(', ')}), got ${String(err)}`);
  }
  assert.ok(codes.includes(err.code), `unexpected code ${err.code}: ${err.message}`);
}

const lower = 'abcdefghijklmnopqrstuvwxyz';
const b64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function charsOf(alphabet: string, min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
}

/** User names as USER_NAME_RE allows them (1 to 32 characters). */
export const userName = charsOf(lower + '0123456789._-', 1, 32);

/** Domains as DOMAIN_RE allows them, long ones and ports included. */
export const domain = fc
  .tuple(
    charsOf(lower + '0123456789.-', 1, 253),
    fc.option(fc.integer({ min: 0, max: 99999 }), { nil: undefined }),
  )
  .map(([host, port]) => (port === undefined ? host : `${host}:${port}`));

/** Device ids: 22 characters of base64url. */
export const deviceId = charsOf(b64url, 22, 22);

/** Client message ids: 16 to 64 characters of base64url. */
export const messageId = charsOf(b64url, 16, 64);

export function bytesOf(length: number): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ minLength: length, maxLength: length });
}

/** Any string, lone surrogates included. */
export const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
  fc.string({ maxLength: 200 }),
);

/**
 * Damaged copies (never equal to the original) of a valid encoding: truncated, a byte changed, bytes inserted or removed,
 * a 32-bit field overwritten with a hostile length.
 */
export function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const n = valid.length;
  const at = fc.nat({ max: Math.max(0, n - 1) });
  return fc
    .oneof(
      fc.nat({ max: n - 1 }).map((len) => valid.slice(0, len)),
      fc.tuple(at, fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const out = valid.slice();
        out[i] = out[i]! ^ x;
        return out;
      }),
      fc
        .tuple(at, fc.uint8Array({ minLength: 1, maxLength: 16 }))
        .map(([i, extra]) => concat(valid.subarray(0, i), extra, valid.subarray(i))),
      fc
        .tuple(at, fc.integer({ min: 1, max: 16 }))
        .map(([i, len]) => concat(valid.subarray(0, i), valid.subarray(i + len))),
      fc
        .tuple(at, fc.constantFrom(0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 513))
        .map(([i, len]) => {
          const out = valid.slice();
          const view = new DataView(out.buffer);
          if (i + 4 <= n) view.setUint32(i, len);
          return out;
        }),
    )
    .filter((out) => !equalBytes(out, valid));
}
