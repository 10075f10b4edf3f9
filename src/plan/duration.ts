/**
 * Plan durations (SPEC §1): a whole number with a unit (`500ms`, `30s`, `5m`, `2h`) or an
 * integer number of milliseconds. The text is kept as written for messages (SPEC §7.6).
 */
import type { Duration } from './types';

export const DURATION_PATTERN = /^(\d+)(ms|s|m|h)$/;

/** Node timers fire at once above 2^31-1 ms, so a longer limit would kill an agent immediately. */
export const MAX_DURATION_MS = 2 ** 31 - 1;
export const MAX_DURATION_TEXT = '596h';

const MS_PER_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The duration a plan value means, or undefined when it is not a duration at all. */
export function parseDuration(value: string | number): Duration | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? { ms: value, text: `${value}ms` } : undefined;
  }
  const match = DURATION_PATTERN.exec(value);
  if (!match) return undefined;
  const [, amount = '', unit = ''] = match;
  const ms = Number(amount) * (MS_PER_UNIT[unit] ?? Number.NaN);
  return Number.isSafeInteger(ms) ? { ms, text: value } : undefined;
}
