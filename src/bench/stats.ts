/** Small statistics helpers for the benchmark. */

export interface Distribution {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The distribution of the finite values; null when there are none. */
export function distribution(values: readonly number[]): Distribution | null {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    n: sorted.length,
    min: round(sorted[0] as number),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1] as number),
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
  };
}
