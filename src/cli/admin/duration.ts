/** Durations on the command line: `30m`, `12h`, `7d`. */
import { UsageError } from './args.ts';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_MS = 365 * UNIT_MS.d;

/**
 * Parses a duration into milliseconds (1 minute to 365 days).
 * @throws UsageError naming the flag and the expected form.
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^([1-9][0-9]{0,5})([mhd])$/.exec(text.trim());
  const ms = match === null ? NaN : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (!(ms <= MAX_MS)) {
    throw new UsageError(
      `${flag} must be a duration like 30m, 12h or 7d (minutes, hours or days, at most 365d), got ${JSON.stringify(text)}`,
    );
  }
  return ms;
}
