/**
 * `logs/attempt-<n>.json`: what a later worker needs to find a running agent again after this
 * worker died (SPEC §4.4 adoption): pid, process group, the process start time (guards against
 * pid reuse), the log and its start offset, and the evidence snapshot taken before the start.
 */

import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ArtifactSnapshot } from './evidence';
import { parseProcStat } from './process-group';

export interface AttemptRecord {
  readonly version: 1;
  readonly attempt: number;
  readonly pid: number;
  readonly pgid: number;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks after boot); null where unreadable. */
  readonly processStartTicks: string | null;
  readonly argv: readonly string[];
  readonly logPath: string;
  /** Log size before the agent started: its output of this attempt begins here. */
  readonly logOffset: number;
  readonly startedAt: string;
  readonly startedAtMs: number;
  readonly artifactsBefore: ArtifactSnapshot;
}

/** The start time of `pid` from `/proc/<pid>/stat` field 22, or null. */
export async function readProcessStartTicks(pid: number): Promise<string | null> {
  try {
    // parseProcStat starts at field 3, so field 22 is index 19.
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'))?.[19] ?? null;
  } catch {
    return null;
  }
}

export async function writeAttemptRecord(path: string, record: AttemptRecord): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, path);
}

export async function readAttemptRecord(path: string): Promise<AttemptRecord | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as AttemptRecord;
  } catch {
    return null;
  }
}
