/**
 * The workflow's side of the run store (src/activities/run-files/run-store.ts): what an execution hands to
 * the host before it continues as new, and how a large result becomes a file plus its digest.
 * Every activity input stays small: segments are cut at about {@link SEGMENT_BYTES} of JSON.
 * A remote run's store is on its remote (SPEC §10): any worker writes and reads it there.
 */
import { workflowInfo } from '@temporalio/workflow';
import { hostActivities } from './host-activities';
import type { FanoutEvent, FanoutResult, UnitResult } from '../plan/types';
import type { FanoutInput, SegmentRef } from '../contracts/run-types';

const { storeRunSegment, writeRunResult } = hostActivities;

/** A result up to this size is returned inline (Temporal warns about payloads from 512 KB). */
export const INLINE_RESULT_BYTES = 256 * 1024;

const SEGMENT_BYTES = 256 * 1024;

/** Where the run's store is: the checkout on the host, or a remote run's remote. */
function storeLocation(input: FanoutInput) {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  const remote =
    input.git?.remote === undefined
      ? {}
      : { remote: { url: input.git.remote, identity: input.git.identity } };
  return { repo: input.repo, workflowId, firstRunId: firstExecutionRunId, ...remote };
}

/** Stores this execution's events and the results of the units it ended; returns them in order. */
export async function storeExecutionSegments(
  input: FanoutInput,
  execution: number,
  events: readonly FanoutEvent[],
  units: Readonly<Record<string, UnitResult>>,
): Promise<SegmentRef[]> {
  const location = storeLocation(input);
  const eventChunks = chunked(events, (event) => JSON.stringify(event).length);
  const unitChunks = chunked(Object.entries(units), ([id, unit]) => id.length + JSON.stringify(unit).length);
  const name = (k: number): string =>
    `segment-${String(execution).padStart(4, '0')}-${String(k).padStart(4, '0')}`;
  return Promise.all([
    ...eventChunks.map((chunk, k) =>
      storeRunSegment({ ...location, name: name(k), events: chunk, units: {} }),
    ),
    ...unitChunks.map((chunk, k) =>
      storeRunSegment({
        ...location,
        name: name(eventChunks.length + k),
        events: [],
        units: Object.fromEntries(chunk),
      }),
    ),
  ]);
}

/** Writes the whole result to the host; the workflow keeps the header, the file and its digest. */
export async function storeResult(
  input: FanoutInput,
  header: Omit<FanoutResult, 'events' | 'units'>,
  segments: readonly SegmentRef[],
  unitOrder: readonly string[],
): Promise<{ result: FanoutResult; file: { path: string; sha256: string } }> {
  const stored = await writeRunResult({
    ...storeLocation(input),
    header,
    segments,
    unitOrder,
  });
  return {
    result: { ...header, events: [], units: {}, result_file: stored.path, result_sha256: stored.sha256 },
    file: { path: stored.path, sha256: stored.sha256 },
  };
}

function chunked<T>(items: readonly T[], size: (item: T) => number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = size(item);
    if (current.length > 0 && bytes + itemBytes > SEGMENT_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += itemBytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
