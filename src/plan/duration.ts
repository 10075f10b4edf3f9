/**
 * Plan durations (SPEC §1): a whole number with a unit (`500ms`, `30s`, `5m`, `2h`, `7d`) or an
 * integer number of milliseconds. The text is kept as written for messages (SPEC §7.6).
 */
import type { Duration } from './types';

export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;

/** The longest duration a plan may give (SPEC §8.8); also far below what Node timers support (2^31-1 ms). */
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;
export const MAX_DURATION_TEXT = '7d';

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * The milliseconds a plan value stands for, however large (possibly past the safe integers or
 * Infinity), or undefined when it is not a duration at all.
 */
export function durationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = DURATION_PATTERN.exec(value);
  if (!match) return undefined;
  const [, amount = '', unit = ''] = match;
  return Number(amount) * (MS_PER_UNIT[unit] ?? Number.NaN);
}

/** The duration a plan value means, or undefined when it is not one or is past the safe integers. */
export function parseDuration(value: string | number): Duration | undefined {
  const ms = durationMs(value);
  if (ms === undefined || !Number.isSafeInteger(ms)) return undefined;
  return { ms, text: typeof value === 'number' ? `${value}ms` : value };
}
