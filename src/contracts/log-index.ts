/**
 * Each run's share of a unit's attempt logs (SPEC §8.7). `logs/attempt-<n>.log` is kept across
 * runs (every byte, appended), so a later run of the same unit writes into the same files. Each
 * launch therefore first appends one line to `logs/runs.jsonl`: which run's attempt starts writing
 * at which byte of which attempt log. A run's bytes of attempt n run from its own start to the next
 * start recorded for that file, or to the end of the file.
 */

/** The index beside the attempt logs, in the unit's `logs/` folder. */
export const LOG_INDEX_FILE = 'runs.jsonl';

/** One launch: `run` (the workflow id) starts attempt `attempt` at byte `from` of its log. */
export interface LogIndexEntry {
  readonly run: string;
  readonly attempt: number;
  readonly from: number;
}

/** The bytes of one attempt log that belong to one run; `to` absent means up to the end. */
export interface LogRange {
  readonly attempt: number;
  readonly from: number;
  readonly to?: number;
}

export function logIndexLine(entry: LogIndexEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** The index's entries; damaged lines (a crash mid-write, an agent's scribbles) are skipped. */
export function parseLogIndex(text: string): LogIndexEntry[] {
  const entries: LogIndexEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as Partial<LogIndexEntry>;
      if (
        typeof value.run === 'string' &&
        Number.isInteger(value.attempt) &&
        Number.isInteger(value.from) &&
        (value.from as number) >= 0
      ) {
        entries.push({ run: value.run, attempt: value.attempt as number, from: value.from as number });
      }
    } catch {
      // not a line of ours
    }
  }
  return entries;
}

/**
 * The ranges of `run`'s attempts, by attempt number; an attempt launched more than once by the
 * run (an infrastructure retry that started it again) keeps its first start. Empty when the index
 * does not know the run (a run from before the index: its logs are the whole files).
 */
export function runLogRanges(entries: readonly LogIndexEntry[], run: string): Map<number, LogRange> {
  const ranges = new Map<number, LogRange>();
  for (const entry of entries) {
    if (entry.run !== run || ranges.has(entry.attempt)) continue;
    const later = entries
      .filter((other) => other.attempt === entry.attempt && other.run !== run && other.from > entry.from)
      .map((other) => other.from);
    const to = later.length === 0 ? undefined : Math.min(...later);
    ranges.set(entry.attempt, {
      attempt: entry.attempt,
      from: entry.from,
      ...(to === undefined ? {} : { to }),
    });
  }
  return ranges;
}
