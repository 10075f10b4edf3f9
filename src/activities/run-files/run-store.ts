/**
 * The run store on the worker host: where a run keeps what is too large for Temporal history.
 * A run that continues as new stores each execution's events and unit results as segment files;
 * its last execution assembles them into `result.json`, and the workflow returns only the file's
 * path and digest. Files live in the checkout every worker shares, under
 * `.agent/runs/<workflow id>/<first run id>/`, written atomically (temp file, then rename), so an
 * activity retried after a crash rewrites the same file with the same content.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { FanoutEvent, FanoutResult, UnitResult } from '../../plan/types';
import type { SegmentRef } from '../../contracts/run-types';
import { readFileNoFollow, SymbolicLinkRefused, writeFileAtomically } from '../containment/safe-write';

export const RUNS_DIR = '.agent/runs';

export interface RunStoreLocation {
  /** Absolute real path of the checkout. */
  readonly repo: string;
  readonly workflowId: string;
  /** The first execution's run id: a rerun of the same workflow id gets its own folder. */
  readonly firstRunId: string;
}

export function runStoreDir(location: RunStoreLocation): string {
  return path.join(location.repo, RUNS_DIR, encodeURIComponent(location.workflowId), location.firstRunId);
}

export interface SegmentInput extends RunStoreLocation {
  /** File name without extension, unique within the run, e.g. `segment-0002-001`. */
  readonly name: string;
  readonly events: readonly FanoutEvent[];
  readonly units: Readonly<Record<string, UnitResult>>;
}

interface SegmentFile {
  readonly events: readonly FanoutEvent[];
  readonly units: Readonly<Record<string, UnitResult>>;
}

export async function storeRunSegment(input: SegmentInput): Promise<SegmentRef> {
  const file = path.join(runStoreDir(input), `${input.name}.json`);
  const content: SegmentFile = { events: input.events, units: input.units };
  const sha256 = await writeAtomically(input.repo, file, JSON.stringify(content));
  return { path: file, sha256, events: input.events.length, units: Object.keys(input.units).length };
}

export interface ResultInput extends RunStoreLocation {
  /** Everything of the result but its events and units. */
  readonly header: Omit<FanoutResult, 'events' | 'units'>;
  /** In event order. */
  readonly segments: readonly SegmentRef[];
  /** Plan order: the order of `units` in the result. */
  readonly unitOrder: readonly string[];
}

export interface StoredResult {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** Assembles the segments into the run's whole result (SPEC §5) and writes `result.json`. */
export async function writeRunResult(input: ResultInput): Promise<StoredResult> {
  const events: FanoutEvent[] = [];
  const found = new Map<string, UnitResult>();
  for (const segment of input.segments) {
    const content = JSON.parse(await readVerified(segment.path, segment.sha256)) as SegmentFile;
    events.push(...content.events);
    for (const [unitId, unit] of Object.entries(content.units)) found.set(unitId, unit);
  }
  const units: Record<string, UnitResult> = {};
  for (const unitId of input.unitOrder) {
    const unit = found.get(unitId);
    if (unit === undefined) {
      throw ApplicationFailure.nonRetryable(
        `the run store has no result for unit '${unitId}'`,
        'RunStoreIncomplete',
      );
    }
    units[unitId] = unit;
  }
  const result: FanoutResult = { ...input.header, events, units };
  const text = JSON.stringify(result);
  const file = path.join(runStoreDir(input), 'result.json');
  const sha256 = await writeAtomically(input.repo, file, text);
  return { path: file, sha256, bytes: Buffer.byteLength(text) };
}

/** The file's text, once its sha256 is the one recorded when it was written. */
export async function readVerified(file: string, sha256: string): Promise<string> {
  const text = await readFileNoFollow(file).then(
    (bytes) => bytes.toString('utf8'),
    (error: NodeJS.ErrnoException) => {
      throw ApplicationFailure.nonRetryable(
        `cannot read ${file} (${error.code ?? error.message}); it is part of a stored run result`,
        'RunStoreMissing',
      );
    },
  );
  if (digest(text) !== sha256) {
    throw ApplicationFailure.nonRetryable(
      `${file} was changed after the run wrote it (sha256 differs); the stored result cannot be trusted`,
      'RunStoreCorrupt',
    );
  }
  return text;
}

export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Temp file, then rename; never through a symbolic link (SPEC §8.4), which fails the activity for good. */
async function writeAtomically(repo: string, file: string, text: string): Promise<string> {
  try {
    await writeFileAtomically(repo, file, text);
  } catch (error) {
    if (error instanceof SymbolicLinkRefused) {
      throw ApplicationFailure.nonRetryable(error.message, 'SymbolicLinkWrite');
    }
    throw error;
  }
  return digest(text);
}
