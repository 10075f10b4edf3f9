/**
 * Which bytes of a unit's attempt logs belong to one run (SPEC §8.7), read from the index the
 * worker appends to at each launch (`logs/runs.jsonl`), without following a link. A run the index
 * does not name (one from before the index) owns its attempt logs whole, as it always did.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import { LOG_INDEX_FILE, parseLogIndex, runLogRanges, type LogRange } from '../../contracts/log-index';

export interface RunLogs {
  /** The run's attempts by number; empty when the index does not name the run. */
  readonly ranges: ReadonlyMap<number, LogRange>;
  /** The index exists: a run launched since it was introduced is named in it once it launches. */
  readonly indexed: boolean;
}

export function readRunLogs(logsDir: string, runId: string): RunLogs {
  const text = readIndexText(path.join(logsDir, LOG_INDEX_FILE));
  if (text === undefined) return { ranges: new Map(), indexed: false };
  return { ranges: runLogRanges(parseLogIndex(text), runId), indexed: true };
}

/** The index's text; undefined when it is missing or is not a regular file (a link is refused). */
function readIndexText(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return undefined;
    const buffer = Buffer.alloc(stats.size);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * The attempts a run can print: its own from the index when `useIndex`, else every attempt log on
 * disk (the files of a run the index does not name).
 */
export function runAttempts(logsDir: string, logs: RunLogs, useIndex: boolean): number[] {
  if (useIndex) return [...logs.ranges.keys()].sort((a, b) => a - b);
  return attemptsOnDisk(logsDir);
}

function attemptsOnDisk(logsDir: string): number[] {
  try {
    return readdirSync(logsDir)
      .map((name) => /^attempt-(\d+)\.log$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}
