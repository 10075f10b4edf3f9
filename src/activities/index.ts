/**
 * The agent activities, built by {@link createActivities} from their dependencies. The worker
 * registers the returned object; the workflow proxies `ReturnType<typeof createActivities>`, imported
 * with `import type`.
 *
 * Activity retry policy (set by the workflow): every SPEC §4.2 failure is a non-retryable
 * ApplicationFailure typed from `src/errors.ts`; anything else is an infrastructure fault.
 * Cancellation reaches `runAgentAttempt` only through its heartbeats, so the workflow must set a
 * `heartbeatTimeout` (the activity heartbeats every `timing.heartbeatMs`).
 */

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import {
  readEarlierSuccesses,
  type EarlierSuccessesInput,
  type EarlierSuccessesPage,
} from './run-files/earlier-successes';
import { attemptMetrics } from './metrics';
import {
  storeRunSegment,
  writeRunResult,
  type ResultInput,
  type SegmentInput,
  type StoredResult,
} from './run-files/run-store';
import type { AttemptDeps } from './agent/attempt-deps';
import { runAgentAttempt } from './agent/run-attempt';
import { isRunOpenOnServer } from './agent/run-open';
import { writeRunSummary } from './run-files/summary';
import { verifyArtifacts, type VerifyArtifactsInput } from './unit-files/verify-artifacts';
import type { AttemptInput, AttemptSuccess, SummaryInput, SummaryResult } from './types';
import type { SegmentRef } from '../contracts/run-types';
import type { FinishGitAnswer, FinishGitInput, IntegrateAnswer, IntegrateInput } from '../contracts/git';
import { finishGitRun } from './git-workspace/finish-git-run';
import { integrateUnit } from './git-workspace/integrate-unit';
import { handOverFreedSlot, type FreedSlotAnswer, type FreedSlotInput } from './agent/freed-slot';

export type ActivityDeps = AttemptDeps;
export type { Clock, AttemptTiming } from './agent/attempt-deps';
export type { SpawnFn } from './agent/agent-process';
export type * from './types';
export type { VerifyArtifactsInput } from './unit-files/verify-artifacts';
export type { FreedSlotAnswer, FreedSlotInput } from './agent/freed-slot';
export type { Handover } from './agent/slot-handover';
export type { EarlierSuccessesInput, EarlierSuccessesPage } from './run-files/earlier-successes';
export type { ResultInput, SegmentInput, StoredResult } from './run-files/run-store';

/**
 * `pollMs`: how often a running agent's log is read and its limits checked. A launched agent's exit
 * and a cancellation wake the follower at once (an adopted agent's exit is polled for at
 * RECORD_POLL_MS at most), so this only bounds how stale the last output line in a heartbeat is
 * and how late a timeout fires. It matches the heartbeat's cadence: each poll reads the log, so a
 * faster one costs worker CPU in proportion (at 200 ms, 64 agents spent a tenth of it on reads).
 */
export const DEFAULT_TIMING = { pollMs: 1000, heartbeatMs: 1000 } as const;

/** The real dependencies: Node's spawn, the wall clock, this process's environment, the worker's client. */
export function defaultActivityDeps(): ActivityDeps {
  return {
    spawn,
    clock: { now: () => Date.now() },
    env: process.env,
    timing: DEFAULT_TIMING,
    isRunOpen: isRunOpenOnServer,
  };
}

/** Builds the activities; any dependency not given is the real one. */
export function createActivities(deps: Partial<ActivityDeps> = {}) {
  const resolved: ActivityDeps = { ...defaultActivityDeps(), ...deps };
  return {
    /** One agent attempt of one unit (SPEC §4.1–4.2). */
    runAgentAttempt: (input: AttemptInput): Promise<AttemptSuccess> =>
      measured(() => runAgentAttempt(resolved, input)),
    /** The run summary files (SPEC §5). */
    writeRunSummary: (input: SummaryInput): Promise<SummaryResult> => writeRunSummary(input, resolved),
    /** Which earlier successes a retry may reuse: their evidence is still on disk, unchanged. */
    verifyArtifacts: (input: VerifyArtifactsInput): Promise<string[]> => verifyArtifacts(input, resolved),
    /** A page of the successes a stored earlier result holds whose evidence is intact (retry). */
    readEarlierSuccesses: (input: EarlierSuccessesInput): Promise<EarlierSuccessesPage> =>
      readEarlierSuccesses(input, resolved),
    /** Stores part of a run's result on the host (a run that continues as new, or a large one). */
    storeRunSegment: (input: SegmentInput): Promise<SegmentRef> => storeRunSegment(input, resolved),
    /** Assembles the stored segments into the run's result file. */
    writeRunResult: (input: ResultInput): Promise<StoredResult> => writeRunResult(input, resolved),
    /** Merges a SUCCEEDED git unit's output into the run's integration (SPEC §9, completion order). */
    integrateUnit: (input: IntegrateInput): Promise<IntegrateAnswer> => integrateUnit(input, resolved),
    /** Points the git run's branch at its integration, and moves `--into` (SPEC §9 "End"). */
    finishGitRun: (input: FinishGitInput): Promise<FinishGitAnswer> => finishGitRun(input, resolved),
    /** Gives a prefetching run's freed slot to its next waiting unit on this worker (local activity). */
    handOverFreedSlot: (input: FreedSlotInput): Promise<FreedSlotAnswer> => handOverFreedSlot(input),
  };
}

/** Counts the attempt and its outcome in the worker's metrics (see `metrics.ts`). */
async function measured(attempt: () => Promise<AttemptSuccess>): Promise<AttemptSuccess> {
  const metrics = attemptMetrics(Context.current().metricMeter);
  const started = performance.now();
  metrics.started();
  try {
    const success = await attempt();
    metrics.finished({ ok: true, adopted: success.adopted }, (performance.now() - started) / 1000);
    return success;
  } catch (error) {
    metrics.finished({ ok: false, error }, (performance.now() - started) / 1000);
    throw error;
  }
}
