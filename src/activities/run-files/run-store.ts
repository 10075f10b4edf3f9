/**
 * The run store on the worker host: where a run keeps what is too large for Temporal history.
 * A run that continues as new stores each execution's events and unit results as segment files;
 * its last execution assembles them into `result.json`, and the workflow returns only the file's
 * path and digest. Files live in the checkout every worker shares, under
 * `.agent/runs/<workflow id>/<first run id>/`, written atomically (temp file, then rename), so an
 * activity retried after a crash rewrites the same file with the same content. A remote run
 * (SPEC §10) keeps them on its remote instead, as `git:` paths (run-store-remote.ts).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { FanoutEvent, FanoutResult, UnitResult } from '../../plan/types';
import type { SegmentRef } from '../../contracts/run-types';
import { readFileNoFollow, SymbolicLinkRefused, writeFileAtomically } from '../containment/safe-write';
import type { WorkerDeps } from '../git-workspace/remote-clone';
import { isGitPath, storeRef } from '../../contracts/run-store-refs';
import { readFromRemote, storeOnRemote, type RunStoreRemote } from './run-store-remote';

export const RUNS_DIR = '.agent/runs';

export interface RunStoreLocation {
  /** Absolute real path of the checkout. */
  readonly repo: string;
  readonly workflowId: string;
  /** The first execution's run id: a rerun of the same workflow id gets its own folder. */
  readonly firstRunId: string;
  /** A remote run's (SPEC §10): the files are pushed there, `repo` unused. */
  readonly remote?: RunStoreRemote;
}

/** `<repo>/.agent/runs/<workflow id>`: everything a run keeps in the checkout is below it. */
export function runFolder(repo: string, workflowId: string): string {
  return path.join(repo, RUNS_DIR, encodeURIComponent(workflowId));
}

export function runStoreDir(location: RunStoreLocation): string {
  return path.join(runFolder(location.repo, location.workflowId), location.firstRunId);
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

/** @param deps the worker's host: in a remote run its work directory holds the clone it pushes from. */
export async function storeRunSegment(input: SegmentInput, deps: WorkerDeps = {}): Promise<SegmentRef> {
  const content: SegmentFile = { events: input.events, units: input.units };
  const stored = await storeFile(input, input.name, JSON.stringify(content), deps);
  return { ...stored, events: input.events.length, units: Object.keys(input.units).length };
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
export async function writeRunResult(input: ResultInput, deps: WorkerDeps = {}): Promise<StoredResult> {
  const events: FanoutEvent[] = [];
  const found = new Map<string, UnitResult>();
  const remote = input.remote === undefined ? undefined : { url: input.remote.url, deps };
  for (const segment of input.segments) {
    const content = JSON.parse(await readVerified(segment.path, segment.sha256, remote)) as SegmentFile;
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
  return { ...(await storeFile(input, 'result', text, deps)), bytes: Buffer.byteLength(text) };
}

/** `<name>.json` in the run store: a file on the host, or a ref on a remote run's remote. */
async function storeFile(
  location: RunStoreLocation,
  name: string,
  text: string,
  deps: WorkerDeps,
): Promise<{ path: string; sha256: string }> {
  if (location.remote !== undefined) {
    const ref = storeRef(location.workflowId, location.firstRunId, name);
    return { path: await storeOnRemote(location.remote, ref, text, deps), sha256: digest(text) };
  }
  const file = path.join(runStoreDir(location), `${name}.json`);
  return { path: file, sha256: await writeAtomically(location.repo, file, text) };
}

/** Where a `git:` path is read from: the run's remote, through the worker's clone. */
export interface RemoteSource {
  readonly url: string;
  readonly deps: WorkerDeps;
}

/**
 * The file's text, once its sha256 is the one recorded when it was written. A `git:` path (a
 * remote run's store) is read from `remote`.
 */
export async function readVerified(file: string, sha256: string, remote?: RemoteSource): Promise<string> {
  const text = await readStored(file, remote);
  if (digest(text) !== sha256) {
    throw ApplicationFailure.nonRetryable(
      `${file} was changed after the run wrote it (sha256 differs); the stored result cannot be trusted`,
      'RunStoreCorrupt',
    );
  }
  return text;
}

async function readStored(file: string, remote: RemoteSource | undefined): Promise<string> {
  if (isGitPath(file)) {
    if (remote === undefined) {
      throw ApplicationFailure.nonRetryable(
        `cannot read ${file}: it is stored on a remote run's remote, and no remote was given to read it from`,
        'RunStoreMissing',
      );
    }
    return readFromRemote(file, remote.url, remote.deps);
  }
  return readFileNoFollow(file).then(
    (bytes) => bytes.toString('utf8'),
    (error: NodeJS.ErrnoException) => {
      throw ApplicationFailure.nonRetryable(
        `cannot read ${file} (${error.code ?? error.message}); it is part of a stored run result`,
        'RunStoreMissing',
      );
    },
  );
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
